#pragma once

// The Hugging Face tensor names of each model family, in one place. Standard library only.
// An empty name means the family has no such tensor (olmo norms, a tied output head, ...).

#include "engine/model/ModelConfig.h"

#include <string>
#include <vector>

namespace ckptlab::engine {

struct LayerTensorNames {
    std::string norm1Weight, norm1Bias; // before attention
    std::string norm2Weight, norm2Bias; // before the MLP
    std::string qkvWeight, qkvBias;     // fused projection (gpt2, gpt_neox)
    std::string qWeight, qBias, kWeight, kBias, vWeight, vBias; // separate (llama, olmo)
    std::string outWeight, outBias;
    std::string upWeight, upBias;       // gpt2 c_fc, gpt_neox dense_h_to_4h, llama up_proj
    std::string gateWeight, gateBias;   // llama gate_proj only
    std::string downWeight, downBias;   // gpt2 c_proj, gpt_neox dense_4h_to_h, llama down_proj
};

struct ModelTensorNames {
    std::string tokenEmbedding;
    std::string positionEmbedding; // gpt2 only
    std::string finalNormWeight, finalNormBias;
    std::string outputHead;        // empty when tied to the token embedding
    std::vector<LayerTensorNames> layers;
};

// The canonical names (the ones HF's *ForCausalLM writes), used for loading and saving.
ModelTensorNames hfTensorNames(const ModelConfig& config);

// Other names under which a file may hold the canonical tensor (gpt2 without "transformer.").
std::vector<std::string> alternativeTensorNames(const ModelConfig& config, const std::string& canonical);

// Tensors a file may hold that carry no weights for ckptlab: causal-mask buffers, cached
// rotary frequencies, and an output head duplicated next to a tied embedding.
bool isIgnorableTensor(const ModelConfig& config, const std::string& name);

} // namespace ckptlab::engine
