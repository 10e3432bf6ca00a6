#pragma once

// A decoder-only language model of one of the supported families (gpt2, gpt_neox, llama,
// olmo), built from a ModelConfig. Parameters hold the Hugging Face shapes (GPT-2's Conv1D
// weights stay [in, out]) so that loading and saving are name-for-name copies.
//
// Build one with loadCausalLM() (engine/ModelLoader.h): a CausalLM constructed directly has
// uninitialised parameters until loadWeights() filled them.

#include "engine/model/ModelConfig.h"

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ckptlab::engine {

class KvCache;
class RotaryEmbedding;
class DecoderBlockImpl;
class NormImpl;

class CausalLMImpl : public torch::nn::Module {
public:
    explicit CausalLMImpl(const ModelConfig& config, const torch::TensorOptions& options = {});
    ~CausalLMImpl() override;

    // inputIds [B, T] (integer) -> logits [B, T, vocab] in the model's dtype.
    // attentionMask [B, T] (optional; nonzero = token, 0 = padding) covers the new tokens
    // only: with a cache, the cache remembers the mask of earlier calls. Positions count the
    // real tokens of each sequence, so left- and right-padded batches give every real token
    // the logits it has alone. With a cache, call forward with the prompt (prefill), then
    // with the following tokens; each call equals the matching slice of a full forward.
    // Builds an autograd graph unless called under torch::NoGradGuard.
    torch::Tensor forward(const torch::Tensor& inputIds, const torch::Tensor& attentionMask = {},
                          KvCache* cache = nullptr);

    const ModelConfig& config() const { return m_config; }
    torch::Dtype dtype() const;
    torch::Device device() const;

    // Every parameter with its canonical Hugging Face name; a tied output head appears once,
    // as the token embedding.
    std::vector<std::pair<std::string, torch::Tensor>> hfWeights() const;

    int64_t parameterCount() const; // tied weights counted once

    // Gradient checkpointing: in training mode with gradients on, each layer keeps only its
    // input; backward runs the layer again to get its activations. Less memory, ~1/3 more time.
    void setGradientCheckpointing(bool on) { m_gradientCheckpointing = on; }
    bool gradientCheckpointing() const { return m_gradientCheckpointing; }

private:
    ModelConfig m_config;
    std::string m_tokenEmbeddingName, m_positionEmbeddingName, m_outputHeadName;
    torch::Tensor m_tokenEmbedding;    // [vocab, hidden]
    torch::Tensor m_positionEmbedding; // [maxPositions, hidden], gpt2 only
    torch::Tensor m_outputHead;        // [vocab, hidden]; undefined when tied
    std::vector<std::shared_ptr<DecoderBlockImpl>> m_blocks;
    bool m_gradientCheckpointing = false;
    std::shared_ptr<NormImpl> m_finalNorm;
    std::unique_ptr<RotaryEmbedding> m_rotary;
};
TORCH_MODULE(CausalLM);

// Greedy decoding with a KV cache, under NoGradGuard: the ids [T] of the prompt, then
// `count` argmax tokens. Returns only the new tokens.
std::vector<int64_t> greedyContinuation(CausalLM& model, const std::vector<int64_t>& prompt, int64_t count);

} // namespace ckptlab::engine
