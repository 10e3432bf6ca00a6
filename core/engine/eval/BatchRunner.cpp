#include "engine/eval/BatchRunner.h"

#include <c10/util/Exception.h>

#include <algorithm>
#include <fstream>
#include <new>
#include <numeric>
#include <sstream>
#include <string>

namespace ckptlab::engine {

std::vector<size_t> orderLongestFirst(const std::vector<int64_t>& lengths)
{
    std::vector<size_t> order(lengths.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return lengths[a] > lengths[b]; });
    return order;
}

bool isOutOfMemory(const std::exception& error)
{
    if (dynamic_cast<const c10::OutOfMemoryError*>(&error) || dynamic_cast<const std::bad_alloc*>(&error))
        return true;
    if (!dynamic_cast<const c10::Error*>(&error))
        return false;
    const std::string what = error.what();
    return what.find("out of memory") != std::string::npos || what.find("not enough memory") != std::string::npos;
}

bool runInBatches(const std::vector<int64_t>& orderedLengths, BatchLimits limits,
                  const std::function<void(size_t begin, size_t end)>& run, const std::atomic<bool>* cancel,
                  BatchRunStats* stats)
{
    BatchRunStats local;
    BatchRunStats& s = stats ? *stats : local;
    limits.maxBatch = std::max<int64_t>(1, limits.maxBatch);
    size_t begin = 0;
    while (begin < orderedLengths.size()) {
        if (cancel && cancel->load())
            return false;
        const int64_t longest = std::max<int64_t>(1, orderedLengths[begin]);
        int64_t count = limits.maxBatch;
        if (limits.maxTokens > 0)
            count = std::min(count, std::max<int64_t>(1, limits.maxTokens / longest));
        const size_t end = std::min(orderedLengths.size(), begin + static_cast<size_t>(count));
        try {
            run(begin, end);
        } catch (const std::exception& e) {
            if (!isOutOfMemory(e) || end - begin == 1)
                throw;
            const auto size = static_cast<int64_t>(end - begin);
            limits.maxBatch = std::max<int64_t>(1, size / 2);
            if (limits.maxTokens > 0)
                limits.maxTokens = std::max<int64_t>(1, limits.maxTokens / 2);
            ++s.outOfMemoryRetries;
            continue;
        }
        ++s.batches;
        s.finalMaxBatch = std::max<int64_t>(s.finalMaxBatch, static_cast<int64_t>(end - begin));
        begin = end;
    }
    s.finalMaxBatch = std::min(s.finalMaxBatch, limits.maxBatch);
    return true;
}

int64_t evaluationMemoryBudget()
{
    constexpr int64_t MiB = 1024 * 1024;
    std::ifstream in("/proc/meminfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("MemAvailable:", 0) == 0) {
            std::istringstream fields(line.substr(13));
            int64_t kib = 0;
            if (fields >> kib && kib > 0)
                return std::clamp<int64_t>(kib * 1024 / 4, 256 * MiB, 8192 * MiB);
        }
    }
    return 4096 * MiB;
}

BatchLimits chooseBatchLimits(int requestedBatch, int64_t bytesPerToken, int64_t longest, int64_t memoryBudget)
{
    BatchLimits limits;
    if (requestedBatch > 0) { // honoured as asked; only running out of memory reduces it
        limits.maxBatch = requestedBatch;
        limits.maxTokens = 0;
        return limits;
    }
    const int64_t tokens = std::max<int64_t>(1, memoryBudget / std::max<int64_t>(1, bytesPerToken));
    limits.maxTokens = std::max(tokens, std::max<int64_t>(1, longest));
    limits.maxBatch = 32;
    return limits;
}

} // namespace ckptlab::engine
