#include "engine/eval/MetricStats.h"

#include "engine/SeededRandom.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ckptlab::engine {

double sortedQuantile(const std::vector<double>& sorted, double q)
{
    if (sorted.empty())
        throw std::invalid_argument("quantile of no values");
    const double position = std::clamp(q, 0.0, 1.0) * static_cast<double>(sorted.size() - 1);
    const auto below = static_cast<size_t>(std::floor(position));
    const size_t above = std::min(below + 1, sorted.size() - 1);
    const double fraction = position - static_cast<double>(below);
    return sorted[below] + (sorted[above] - sorted[below]) * fraction;
}

MetricSummary summarizeScores(const std::string& name, const std::vector<double>& scores,
                              const BootstrapOptions& options)
{
    if (scores.empty())
        throw std::invalid_argument("metric " + name + ": no scores to summarise");
    if (options.resamples < 2)
        throw std::invalid_argument("metric " + name + ": the bootstrap needs at least two resamples");
    MetricSummary out;
    out.name = name;
    out.n = static_cast<int64_t>(scores.size());
    double sum = 0.0;
    for (double s : scores)
        sum += s;
    out.mean = sum / static_cast<double>(scores.size());

    uint64_t state = options.seed;
    const uint64_t n = scores.size();
    std::vector<double> means(static_cast<size_t>(options.resamples));
    for (double& m : means) {
        double total = 0.0;
        for (uint64_t i = 0; i < n; ++i)
            total += scores[static_cast<size_t>(boundedRandom(state, n))];
        m = total / static_cast<double>(n);
    }
    double meanOfMeans = 0.0;
    for (double m : means)
        meanOfMeans += m;
    meanOfMeans /= static_cast<double>(means.size());
    double squares = 0.0;
    for (double m : means)
        squares += (m - meanOfMeans) * (m - meanOfMeans);
    out.standardError = std::sqrt(squares / static_cast<double>(means.size() - 1));
    std::sort(means.begin(), means.end());
    const double tail = (1.0 - options.confidence) / 2.0;
    out.low = sortedQuantile(means, tail);
    out.high = sortedQuantile(means, 1.0 - tail);
    return out;
}

} // namespace ckptlab::engine
