#pragma once

// Keys and values of the tokens a CausalLM has already seen, for incremental decoding:
// prefill with the prompt, then feed one token at a time; each step equals the full forward.
// For inference (use it under torch::NoGradGuard). One cache serves one batch of sequences.

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace ckptlab::engine {

class KvCache {
public:
    KvCache() = default;

    int64_t length() const { return m_length; }       // cached slots per sequence (padding included)
    int64_t batchSize() const { return m_batchSize; } // 0 while empty
    bool empty() const { return m_length == 0; }
    void clear();

    // --- used by CausalLM ---------------------------------------------------------------
    // Appends the new keys and values of one layer ([B, Hkv, T, D]) after the committed
    // slots and returns all of them ([B, Hkv, length() + T, D]).
    std::pair<at::Tensor, at::Tensor> append(int64_t layer, const at::Tensor& keys, const at::Tensor& values);
    // [B, length()] bool: which cached slots hold real tokens; undefined while empty.
    const at::Tensor& keyMask() const { return m_keyMask; }
    // [B] int64: real tokens seen per sequence (the next token's position); undefined while empty.
    const at::Tensor& tokenCounts() const { return m_tokenCounts; }
    // Called once per forward after every layer appended: newMask is [B, T] bool.
    void commit(const at::Tensor& newMask);

private:
    struct Layer {
        at::Tensor keys;   // [B, Hkv, capacity, D]
        at::Tensor values;
    };
    std::vector<Layer> m_layers;
    int64_t m_length = 0;
    int64_t m_batchSize = 0;
    at::Tensor m_keyMask;
    at::Tensor m_tokenCounts;
};

} // namespace ckptlab::engine
