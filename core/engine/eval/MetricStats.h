#pragma once

// A metric over examples: the mean of the per-example scores, with a seeded bootstrap standard
// error and 95% percentile interval. Standard library only.
//
// Bootstrap: `resamples` times, draw n scores with replacement (a portable SplitMix64 stream
// from `seed`, so a seed gives the same figures on every platform) and take their mean; the
// standard error is the standard deviation of those means (n - 1 in the denominator), the
// interval their 2.5th and 97.5th percentiles (linear interpolation between order statistics,
// numpy's default). The study reports the interval's midpoint as "Performance"; midpoint()
// gives it.

#include <cstdint>
#include <string>
#include <vector>

namespace ckptlab::engine {

struct MetricSummary {
    std::string name;         // "acc", "acc_norm", "rouge_l", "exact_match", "f1"
    double mean = 0.0;
    double standardError = 0.0;
    double low = 0.0;         // 95% interval
    double high = 0.0;
    int64_t n = 0;

    double midpoint() const { return (low + high) / 2.0; }
};

struct BootstrapOptions {
    int resamples = 1000;
    uint64_t seed = 1234;
    double confidence = 0.95;
};

// Throws std::invalid_argument for no scores or a non-positive resample count.
MetricSummary summarizeScores(const std::string& name, const std::vector<double>& scores,
                              const BootstrapOptions& options = {});

// The q-quantile (0..1) of sorted values, interpolating linearly (numpy's default).
double sortedQuantile(const std::vector<double>& sorted, double q);

} // namespace ckptlab::engine
