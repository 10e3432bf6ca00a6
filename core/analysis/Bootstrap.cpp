#include "analysis/Bootstrap.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace ckptlab {

namespace {

// Uniform index in [0, n): reject draws from the incomplete top block so that every index is
// equally likely (a bare gen() % n would favour small indexes, if only slightly).
quint64 drawIndex(std::mt19937_64& gen, quint64 n)
{
    constexpr quint64 maxDraw = std::numeric_limits<quint64>::max();
    const quint64 limit = maxDraw - maxDraw % n; // a multiple of n
    quint64 x = gen();
    while (x >= limit)
        x = gen();
    return x % n;
}

// Linear interpolation between order statistics of sorted values, p in [0, 1].
double percentile(const QVector<double>& sorted, double p)
{
    const double h = (sorted.size() - 1) * p;
    const int lo = int(std::floor(h));
    const int hi = std::min(lo + 1, int(sorted.size()) - 1);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

} // namespace

BootstrapInterval bootstrapMean(const QVector<double>& values, double confidence, int resamples, quint64 seed)
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    QVector<double> xs;
    xs.reserve(values.size());
    for (double v : values)
        if (!std::isnan(v))
            xs.append(v);

    BootstrapInterval interval{nan, nan, nan, nan, int(xs.size())};
    if (xs.isEmpty())
        return interval;
    double sum = 0.0;
    for (double v : xs)
        sum += v;
    interval.mean = sum / xs.size();
    if (xs.size() == 1) {
        interval.low = interval.high = interval.mean;
        return interval;
    }

    std::mt19937_64 gen(seed);
    const quint64 n = quint64(xs.size());
    QVector<double> means(std::max(resamples, 1));
    for (double& m : means) {
        double s = 0.0;
        for (quint64 i = 0; i < n; ++i)
            s += xs[int(drawIndex(gen, n))];
        m = s / double(n);
    }
    std::sort(means.begin(), means.end());

    const double c = std::clamp(confidence, 0.0, 1.0);
    interval.low = percentile(means, (1.0 - c) / 2.0);
    interval.high = percentile(means, 1.0 - (1.0 - c) / 2.0);

    if (means.size() > 1) {
        double mm = 0.0;
        for (double m : means)
            mm += m;
        mm /= means.size();
        double squares = 0.0;
        for (double m : means)
            squares += (m - mm) * (m - mm);
        interval.stderr_ = std::sqrt(squares / (means.size() - 1));
    }
    return interval;
}

} // namespace ckptlab
