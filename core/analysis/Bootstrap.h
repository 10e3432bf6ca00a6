#pragma once

// Percentile bootstrap confidence interval of a mean.

#include <QVector>
#include <QtGlobal>

#include <limits>

namespace ckptlab {

struct BootstrapInterval {
    double mean = std::numeric_limits<double>::quiet_NaN();    // the sample mean, not the mean of the resampled means
    double low = std::numeric_limits<double>::quiet_NaN();     // percentile bounds of the resampled means
    double high = std::numeric_limits<double>::quiet_NaN();
    double stderr_ = std::numeric_limits<double>::quiet_NaN(); // sample std (ddof = 1) of the resampled means
    int n = 0;                                                 // values used (NaN values are left out)
};

// Deterministic for a given seed on every platform: std::mt19937_64's output sequence is fixed
// by the standard, and indexes are drawn from it by rejection sampling (not by
// std::uniform_int_distribution, whose algorithm differs between standard libraries).
// Percentiles interpolate linearly between order statistics (numpy's default).
// n == 0: all NaN; n == 1: low = high = mean, stderr NaN.
BootstrapInterval bootstrapMean(const QVector<double>& values, double confidence = 0.95, int resamples = 2000,
                                quint64 seed = 42);

} // namespace ckptlab
