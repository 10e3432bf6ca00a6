#pragma once

// Rotary position embeddings in the Hugging Face layout ("rotate_half": the first and second
// halves of the rotated dimensions form the pairs, not interleaved neighbours). Engine-internal.

#include "engine/model/ModelConfig.h"

#include <ATen/core/Tensor.h>

#include <utility>

namespace ckptlab::engine {

class RotaryEmbedding {
public:
    RotaryEmbedding() = default;
    explicit RotaryEmbedding(const ModelConfig& config);

    int64_t rotaryDim() const { return m_rotaryDim; }

    // cos and sin for positions [B, T] (int64): [B, 1, T, rotaryDim] in dtype, computed in fp32.
    std::pair<at::Tensor, at::Tensor> cosSin(const at::Tensor& positions, at::ScalarType dtype) const;

    // Rotates the first rotaryDim() dimensions of x [B, H, T, D]; the rest pass through.
    at::Tensor apply(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) const;

private:
    int64_t m_rotaryDim = 0;
    at::Tensor m_inverseFrequencies; // [rotaryDim / 2] float32 on the CPU
};

} // namespace ckptlab::engine
