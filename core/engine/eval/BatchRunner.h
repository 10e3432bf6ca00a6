#pragma once

// Running many sequences through the model in batches: longest first (so that running out of
// memory shows on the first batch, and similar lengths share a batch with little padding),
// batch size limited by a count and by a token budget, halved and retried automatically when
// a batch runs out of memory, a cancellation flag checked before every batch. Standard library
// only; the work itself is a callback.

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <vector>

namespace ckptlab::engine {

struct BatchLimits {
    int64_t maxBatch = 1;   // sequences per batch
    int64_t maxTokens = 0;  // batch size x longest sequence in it; 0 = no limit
};

struct BatchRunStats {
    int64_t batches = 0;
    int outOfMemoryRetries = 0;
    int64_t finalMaxBatch = 0;
};

// Indices of `lengths`, longest first; equal lengths keep their order.
std::vector<size_t> orderLongestFirst(const std::vector<int64_t>& lengths);

// True for c10::OutOfMemoryError, std::bad_alloc and libtorch's "not enough memory" /
// "out of memory" errors.
bool isOutOfMemory(const std::exception& error);

// Calls run(begin, end) for consecutive groups of `orderedLengths` (lengths in the order to
// run, longest first). A group holds at most limits.maxBatch items and maxBatch * (its first
// item's length) <= limits.maxTokens (one item at least). When run throws an out-of-memory
// error, both limits are halved and the same items are run again; an item that does not fit
// alone rethrows. Returns false, having run nothing more, when *cancel is seen set.
bool runInBatches(const std::vector<int64_t>& orderedLengths, BatchLimits limits,
                  const std::function<void(size_t begin, size_t end)>& run, const std::atomic<bool>* cancel,
                  BatchRunStats* stats = nullptr);

// Bytes of memory this process may use for activations: a quarter of the available memory
// (Linux MemAvailable), at most 8 GiB, at least 256 MiB; 4 GiB where it cannot be read.
int64_t evaluationMemoryBudget();

// Limits for a model: `requestedBatch` sequences when it is positive (no token budget), else
// up to 32 sequences within a token budget of memoryBudget / bytesPerToken (at least the
// longest sequence). bytesPerToken is what one token of one sequence costs in a forward.
BatchLimits chooseBatchLimits(int requestedBatch, int64_t bytesPerToken, int64_t longest, int64_t memoryBudget);

} // namespace ckptlab::engine
