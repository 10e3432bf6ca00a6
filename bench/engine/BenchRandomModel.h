#pragma once

// A Pythia-160M-shaped GPT-NeoX (12 layers, width 768, vocab 50304) with random weights,
// written by the engine's own writer: the model the engine benchmarks measure.

#include "engine/CausalLM.h"
#include "engine/ModelConfig.h"
#include "engine/ModelLoader.h"

#include <torch/torch.h>

#include <filesystem>
#include <string>

namespace ckptlab::bench {

inline const char* pythia160mConfig()
{
    return R"({
  "model_type": "gpt_neox", "architectures": ["GPTNeoXForCausalLM"],
  "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072,
  "vocab_size": 50304, "max_position_embeddings": 2048, "rotary_pct": 0.25, "rotary_emb_base": 10000,
  "use_parallel_residual": true, "hidden_act": "gelu", "layer_norm_eps": 1e-5,
  "tie_word_embeddings": false, "bos_token_id": 0, "eos_token_id": 0, "torch_dtype": "float32"
})";
}

inline void writeRandomPythia160m(const std::filesystem::path& dir)
{
    using namespace ckptlab::engine;
    std::filesystem::create_directories(dir);
    CausalLM model(parseModelConfigText(pythia160mConfig(), "pythia-160m-shaped config"));
    torch::NoGradGuard noGrad;
    torch::manual_seed(0);
    for (auto& [name, tensor] : model->hfWeights()) {
        if (name.find("layernorm") != std::string::npos || name.find("layer_norm") != std::string::npos)
            tensor.fill_(name.size() > 5 && name.substr(name.size() - 4) == "bias" ? 0.0 : 1.0);
        else
            tensor.normal_(0.0, 0.02);
    }
    saveCausalLM(model, dir.string());
}

} // namespace ckptlab::bench
