#pragma once

// Engine-internal: a padded batch through the model in column chunks that share a KV cache,
// so that a long prompt never holds [batch, length, vocab] logits at once: each chunk's
// logits ([batch, chunk, vocab]) are handed to a visitor and dropped. Every chunk equals the
// matching slice of one full forward (CausalLM's cache contract). Runs under NoGradGuard.

#include "engine/eval/BatchPadding.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>

namespace ckptlab::engine {

class CausalLM;
class KvCache;

// Columns per chunk when the caller has no better figure.
constexpr int64_t kDefaultForwardChunk = 512;

// visit(firstColumn, logits) for each chunk, left to right. With a null cache, a local one is
// used when the batch is wider than one chunk (and none otherwise).
void forwardInChunks(CausalLM& model, const PaddedBatch& batch, int64_t chunk, KvCache* cache,
                     const std::function<void(int64_t firstColumn, const at::Tensor& logits)>& visit);

} // namespace ckptlab::engine
