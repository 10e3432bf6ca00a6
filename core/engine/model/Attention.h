#pragma once

// Causal self-attention of all families: fused or separate q/k/v projections, rotary or not,
// grouped-query attention, padding masks and the KV cache. Engine-internal.

#include "engine/model/LayerModules.h"

namespace ckptlab::engine {

class KvCache;
class RotaryEmbedding;

// What every layer's attention shares within one forward.
struct AttentionContext {
    const RotaryEmbedding* rotary = nullptr; // null without rotary embeddings
    torch::Tensor cos, sin;                  // [B, 1, T, rotaryDim]
    torch::Tensor allowed;                   // [B or 1, 1, T, S] bool: query t may attend key s
    KvCache* cache = nullptr;
};

class AttentionImpl : public torch::nn::Module {
public:
    AttentionImpl(const ModelConfig& config, const LayerTensorNames& names, int64_t layerIndex,
                  const torch::TensorOptions& options);
    torch::Tensor forward(const torch::Tensor& x, const AttentionContext& context);
    void appendWeights(NamedWeights& out) const;

private:
    enum class QkvLayout {
        FusedBlocks,  // gpt2 c_attn: [q | k | v], each hidden wide
        FusedPerHead, // gpt_neox query_key_value: per head [q, k, v]
        Separate,     // llama, olmo: q_proj, k_proj, v_proj
    };
    std::tuple<torch::Tensor, torch::Tensor, torch::Tensor> projectQkv(const torch::Tensor& x);

    QkvLayout m_layout;
    int64_t m_layerIndex;
    int64_t m_numHeads, m_numKvHeads, m_headDim;
    double m_scale;
    double m_clipQkv = 0.0; // 0: no clipping
    Projection m_qkv{nullptr}, m_q{nullptr}, m_k{nullptr}, m_v{nullptr}, m_out{nullptr};
};
TORCH_MODULE(Attention);

} // namespace ckptlab::engine
