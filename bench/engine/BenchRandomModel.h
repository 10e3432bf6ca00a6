#pragma once

// Pythia-shaped GPT-NeoX models (rotary pct 0.25, parallel residual, vocab 50304, untied head)
// with random weights: the models the engine benchmarks measure. Pythia-160M (12 layers, width
// 768) is written to a folder by the engine's own writer (bench_model_load, bench_eval);
// Pythia-70M (6 layers, width 512) is built in memory on a device (bench_train_step).

#include "engine/model/CausalLM.h"
#include "engine/model/ModelConfig.h"
#include "engine/model/ModelLoader.h"

#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <string>

namespace ckptlab::bench {

struct PythiaShape {
    const char* name;
    int layers;
    int hidden;
    int heads;
    int intermediate;
};

inline PythiaShape pythia70mShape() { return {"pythia-70m", 6, 512, 8, 2048}; }
inline PythiaShape pythia160mShape() { return {"pythia-160m", 12, 768, 12, 3072}; }

// The config.json text of a Pythia model of that shape (float32).
inline std::string pythiaConfig(const PythiaShape& shape)
{
    return R"({
  "model_type": "gpt_neox", "architectures": ["GPTNeoXForCausalLM"],
  "hidden_size": )" + std::to_string(shape.hidden) + R"(, "num_hidden_layers": )" + std::to_string(shape.layers)
        + R"(, "num_attention_heads": )" + std::to_string(shape.heads) + R"(, "intermediate_size": )"
        + std::to_string(shape.intermediate) + R"(,
  "vocab_size": 50304, "max_position_embeddings": 2048, "rotary_pct": 0.25, "rotary_emb_base": 10000,
  "use_parallel_residual": true, "hidden_act": "gelu", "layer_norm_eps": 1e-5,
  "tie_word_embeddings": false, "bos_token_id": 0, "eos_token_id": 0, "torch_dtype": "float32"
})";
}

// Norms at weight 1, bias 0; everything else N(0, 0.02), from torch's generator seeded with `seed`.
inline void randomizeWeights(engine::CausalLM& model, uint64_t seed = 0)
{
    torch::NoGradGuard noGrad;
    torch::manual_seed(seed);
    for (auto& [name, tensor] : model->hfWeights()) {
        if (name.find("layernorm") != std::string::npos || name.find("layer_norm") != std::string::npos)
            tensor.fill_(name.size() > 5 && name.substr(name.size() - 4) == "bias" ? 0.0 : 1.0);
        else
            tensor.normal_(0.0, 0.02);
    }
}

// A random Pythia-shaped model built directly with `options` (dtype, device), no file involved.
inline engine::CausalLM randomPythia(const PythiaShape& shape, const torch::TensorOptions& options = {},
                                     uint64_t seed = 0)
{
    engine::CausalLM model(engine::parseModelConfigText(pythiaConfig(shape), std::string(shape.name) + "-shaped config"),
                           options);
    randomizeWeights(model, seed);
    return model;
}

inline void writeRandomPythia(const PythiaShape& shape, const std::filesystem::path& dir)
{
    std::filesystem::create_directories(dir);
    engine::saveCausalLM(randomPythia(shape), dir.string());
}

inline void writeRandomPythia160m(const std::filesystem::path& dir)
{
    writeRandomPythia(pythia160mShape(), dir);
}

} // namespace ckptlab::bench
