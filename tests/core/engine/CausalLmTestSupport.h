#pragma once

// Tiny random checkpoints of every family, written by hand with their Hugging Face tensor
// names and shapes (independently of the engine's own name table), and a plain per-head
// reference forward for the llama/olmo families, which have no shared reference checkpoint
// with clip_qkv or tied embeddings.

#include "engine/safetensors/SafetensorsWriter.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <QDir>
#include <QFile>
#include <QString>

#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ckptlab::test {

using Tensors = std::vector<std::pair<std::string, torch::Tensor>>;

struct TinyModel {
    nlohmann::json config;
    Tensors tensors;

    torch::Tensor& tensor(const std::string& name)
    {
        for (auto& [n, t] : tensors) {
            if (n == name)
                return t;
        }
        throw std::runtime_error("no tensor " + name);
    }
    void remove(const std::string& name)
    {
        for (auto it = tensors.begin(); it != tensors.end(); ++it) {
            if (it->first == name) {
                tensors.erase(it);
                return;
            }
        }
        throw std::runtime_error("no tensor " + name);
    }
};

constexpr int64_t kVocab = 96, kHidden = 32, kLayers = 2, kHeads = 4, kInner = 48, kPositions = 64;

inline torch::Tensor randomWeight(std::vector<int64_t> shape, double std = 0.2)
{
    return torch::randn(shape) * std;
}
inline torch::Tensor randomGain(int64_t n)
{
    return 1.0 + 0.1 * torch::randn({n});
}

inline TinyModel tinyGpt2(bool transformerPrefix = true, bool withMaskBuffers = true)
{
    torch::manual_seed(11);
    const std::string p = transformerPrefix ? "transformer." : "";
    TinyModel m;
    m.config = {{"model_type", "gpt2"}, {"vocab_size", kVocab}, {"n_positions", kPositions}, {"n_embd", kHidden},
                {"n_layer", kLayers}, {"n_head", kHeads}, {"n_inner", nullptr}, {"activation_function", "gelu_new"},
                {"layer_norm_epsilon", 1e-5}, {"tie_word_embeddings", true}, {"bos_token_id", 1},
                {"eos_token_id", 2}, {"torch_dtype", "float32"}};
    m.tensors.emplace_back(p + "wte.weight", randomWeight({kVocab, kHidden}, 0.5));
    m.tensors.emplace_back(p + "wpe.weight", randomWeight({kPositions, kHidden}, 0.3));
    for (int64_t i = 0; i < kLayers; ++i) {
        const std::string l = p + "h." + std::to_string(i) + ".";
        m.tensors.emplace_back(l + "ln_1.weight", randomGain(kHidden));
        m.tensors.emplace_back(l + "ln_1.bias", randomWeight({kHidden}, 0.1));
        m.tensors.emplace_back(l + "attn.c_attn.weight", randomWeight({kHidden, 3 * kHidden})); // Conv1D: [in, out]
        m.tensors.emplace_back(l + "attn.c_attn.bias", randomWeight({3 * kHidden}, 0.1));
        m.tensors.emplace_back(l + "attn.c_proj.weight", randomWeight({kHidden, kHidden}));
        m.tensors.emplace_back(l + "attn.c_proj.bias", randomWeight({kHidden}, 0.1));
        m.tensors.emplace_back(l + "ln_2.weight", randomGain(kHidden));
        m.tensors.emplace_back(l + "ln_2.bias", randomWeight({kHidden}, 0.1));
        m.tensors.emplace_back(l + "mlp.c_fc.weight", randomWeight({kHidden, 4 * kHidden}));
        m.tensors.emplace_back(l + "mlp.c_fc.bias", randomWeight({4 * kHidden}, 0.1));
        m.tensors.emplace_back(l + "mlp.c_proj.weight", randomWeight({4 * kHidden, kHidden}));
        m.tensors.emplace_back(l + "mlp.c_proj.bias", randomWeight({kHidden}, 0.1));
        if (withMaskBuffers) { // what old GPT-2 checkpoints carry; never weights
            m.tensors.emplace_back(l + "attn.bias", torch::ones({1, 1, kPositions, kPositions}).tril());
            m.tensors.emplace_back(l + "attn.masked_bias", torch::tensor({-1e4}));
        }
    }
    m.tensors.emplace_back(p + "ln_f.weight", randomGain(kHidden));
    m.tensors.emplace_back(p + "ln_f.bias", randomWeight({kHidden}, 0.1));
    return m;
}

inline TinyModel tinyNeox(double rotaryPct = 0.5, bool parallelResidual = true)
{
    torch::manual_seed(12);
    TinyModel m;
    m.config = {{"model_type", "gpt_neox"}, {"vocab_size", kVocab}, {"hidden_size", kHidden},
                {"num_hidden_layers", kLayers}, {"num_attention_heads", kHeads}, {"intermediate_size", kInner},
                {"hidden_act", "gelu"}, {"rotary_pct", rotaryPct}, {"rotary_emb_base", 10000},
                {"max_position_embeddings", kPositions}, {"layer_norm_eps", 1e-5},
                {"use_parallel_residual", parallelResidual}, {"tie_word_embeddings", false},
                {"bos_token_id", 0}, {"eos_token_id", 0}, {"torch_dtype", "float32"}};
    m.tensors.emplace_back("gpt_neox.embed_in.weight", randomWeight({kVocab, kHidden}, 0.5));
    for (int64_t i = 0; i < kLayers; ++i) {
        const std::string l = "gpt_neox.layers." + std::to_string(i) + ".";
        m.tensors.emplace_back(l + "input_layernorm.weight", randomGain(kHidden));
        m.tensors.emplace_back(l + "input_layernorm.bias", randomWeight({kHidden}, 0.1));
        m.tensors.emplace_back(l + "post_attention_layernorm.weight", randomGain(kHidden));
        m.tensors.emplace_back(l + "post_attention_layernorm.bias", randomWeight({kHidden}, 0.1));
        m.tensors.emplace_back(l + "attention.query_key_value.weight", randomWeight({3 * kHidden, kHidden}));
        m.tensors.emplace_back(l + "attention.query_key_value.bias", randomWeight({3 * kHidden}, 0.1));
        m.tensors.emplace_back(l + "attention.dense.weight", randomWeight({kHidden, kHidden}));
        m.tensors.emplace_back(l + "attention.dense.bias", randomWeight({kHidden}, 0.1));
        m.tensors.emplace_back(l + "mlp.dense_h_to_4h.weight", randomWeight({kInner, kHidden}));
        m.tensors.emplace_back(l + "mlp.dense_h_to_4h.bias", randomWeight({kInner}, 0.1));
        m.tensors.emplace_back(l + "mlp.dense_4h_to_h.weight", randomWeight({kHidden, kInner}));
        m.tensors.emplace_back(l + "mlp.dense_4h_to_h.bias", randomWeight({kHidden}, 0.1));
        m.tensors.emplace_back(l + "attention.rotary_emb.inv_freq", torch::rand({4})); // buffer, ignored
    }
    m.tensors.emplace_back("gpt_neox.final_layer_norm.weight", randomGain(kHidden));
    m.tensors.emplace_back("gpt_neox.final_layer_norm.bias", randomWeight({kHidden}, 0.1));
    m.tensors.emplace_back("embed_out.weight", randomWeight({kVocab, kHidden}, 0.5));
    return m;
}

// llama (RMSNorm weights) or olmo (no norm weights at all); kvHeads < kHeads for GQA.
inline TinyModel tinyLlamaLike(const std::string& modelType, bool tied, int64_t kvHeads,
                               std::optional<double> clipQkv = std::nullopt)
{
    torch::manual_seed(modelType == "olmo" ? 14 : 13);
    const bool olmo = modelType == "olmo";
    const int64_t headDim = kHidden / kHeads;
    TinyModel m;
    m.config = {{"model_type", modelType}, {"vocab_size", kVocab}, {"hidden_size", kHidden},
                {"intermediate_size", kInner}, {"num_hidden_layers", kLayers}, {"num_attention_heads", kHeads},
                {"num_key_value_heads", kvHeads}, {"hidden_act", "silu"}, {"max_position_embeddings", kPositions},
                {"rope_theta", olmo ? 10000.0 : 500000.0}, {"rope_scaling", nullptr}, {"attention_bias", false},
                {"tie_word_embeddings", tied}, {"bos_token_id", 1}, {"eos_token_id", 2},
                {"torch_dtype", "float32"}};
    if (olmo)
        m.config["clip_qkv"] = clipQkv ? nlohmann::json(*clipQkv) : nlohmann::json(nullptr);
    else
        m.config["rms_norm_eps"] = 1e-6;
    m.tensors.emplace_back("model.embed_tokens.weight", randomWeight({kVocab, kHidden}, 0.5));
    for (int64_t i = 0; i < kLayers; ++i) {
        const std::string l = "model.layers." + std::to_string(i) + ".";
        if (!olmo) {
            m.tensors.emplace_back(l + "input_layernorm.weight", randomGain(kHidden));
            m.tensors.emplace_back(l + "post_attention_layernorm.weight", randomGain(kHidden));
        }
        m.tensors.emplace_back(l + "self_attn.q_proj.weight", randomWeight({kHeads * headDim, kHidden}, 0.4));
        m.tensors.emplace_back(l + "self_attn.k_proj.weight", randomWeight({kvHeads * headDim, kHidden}, 0.4));
        m.tensors.emplace_back(l + "self_attn.v_proj.weight", randomWeight({kvHeads * headDim, kHidden}, 0.4));
        m.tensors.emplace_back(l + "self_attn.o_proj.weight", randomWeight({kHidden, kHeads * headDim}));
        m.tensors.emplace_back(l + "mlp.gate_proj.weight", randomWeight({kInner, kHidden}));
        m.tensors.emplace_back(l + "mlp.up_proj.weight", randomWeight({kInner, kHidden}));
        m.tensors.emplace_back(l + "mlp.down_proj.weight", randomWeight({kHidden, kInner}));
    }
    if (!olmo)
        m.tensors.emplace_back("model.norm.weight", randomGain(kHidden));
    if (!tied)
        m.tensors.emplace_back("lm_head.weight", randomWeight({kVocab, kHidden}, 0.5));
    return m;
}

inline void writeTinyModel(const QString& directory, const TinyModel& model)
{
    QDir().mkpath(directory);
    engine::writeSafetensors((directory + "/model.safetensors").toStdString(), model.tensors, {{"format", "pt"}});
    QFile config(directory + "/config.json");
    if (!config.open(QIODevice::WriteOnly | QIODevice::Truncate))
        throw std::runtime_error("cannot write config.json");
    config.write(QByteArray::fromStdString(model.config.dump(2)));
}

// A plain, loop-per-head forward of one sequence [T] for llama/olmo straight from the HF
// tensors: RMSNorm / weightless LayerNorm, clip_qkv, rotate-half rotary computed in double,
// query head h reading kv head h / (heads / kvHeads), SwiGLU. Returns logits [T, vocab].
inline torch::Tensor naiveLlamaLikeForward(TinyModel& m, const std::vector<int64_t>& ids)
{
    const bool olmo = m.config["model_type"] == "olmo";
    const int64_t heads = m.config["num_attention_heads"], kvHeads = m.config["num_key_value_heads"];
    const int64_t hidden = m.config["hidden_size"], headDim = hidden / heads;
    const double theta = m.config["rope_theta"];
    const double clip = olmo && !m.config["clip_qkv"].is_null() ? m.config["clip_qkv"].get<double>() : 0.0;
    const int64_t t = static_cast<int64_t>(ids.size());
    const auto norm = [&](const torch::Tensor& x, const std::string& weight) {
        if (olmo)
            return (x - x.mean(-1, true)) / torch::sqrt(x.var(-1, false, true) + 1e-5);
        return m.tensor(weight) * (x / torch::sqrt(x.pow(2).mean(-1, true) + 1e-6));
    };
    const auto rope = [&](const torch::Tensor& x) { // x [T, headDim]
        torch::Tensor out = x.clone();
        const int64_t half = headDim / 2;
        for (int64_t pos = 0; pos < t; ++pos) {
            for (int64_t j = 0; j < half; ++j) {
                const double angle = pos * std::pow(theta, -2.0 * j / headDim);
                const double a = x[pos][j].item<double>(), b = x[pos][j + half].item<double>();
                out[pos][j] = a * std::cos(angle) - b * std::sin(angle);
                out[pos][j + half] = b * std::cos(angle) + a * std::sin(angle);
            }
        }
        return out;
    };
    torch::Tensor x = m.tensor("model.embed_tokens.weight").index_select(0, torch::tensor(ids));
    const torch::Tensor causal = torch::ones({t, t}).triu(1).to(torch::kBool);
    for (int64_t i = 0; i < static_cast<int64_t>(m.config["num_hidden_layers"]); ++i) {
        const std::string l = "model.layers." + std::to_string(i) + ".";
        const torch::Tensor h = norm(x, l + "input_layernorm.weight");
        torch::Tensor q = h.matmul(m.tensor(l + "self_attn.q_proj.weight").t());
        torch::Tensor k = h.matmul(m.tensor(l + "self_attn.k_proj.weight").t());
        torch::Tensor v = h.matmul(m.tensor(l + "self_attn.v_proj.weight").t());
        if (clip > 0) {
            q = q.clamp(-clip, clip);
            k = k.clamp(-clip, clip);
            v = v.clamp(-clip, clip);
        }
        std::vector<torch::Tensor> outputs;
        for (int64_t head = 0; head < heads; ++head) {
            const int64_t kvHead = head / (heads / kvHeads);
            const torch::Tensor qh = rope(q.narrow(1, head * headDim, headDim));
            const torch::Tensor kh = rope(k.narrow(1, kvHead * headDim, headDim));
            const torch::Tensor vh = v.narrow(1, kvHead * headDim, headDim);
            const torch::Tensor scores = (qh.matmul(kh.t()) / std::sqrt(double(headDim))).masked_fill(causal, -INFINITY);
            outputs.push_back(torch::softmax(scores, -1).matmul(vh));
        }
        x = x + torch::cat(outputs, 1).matmul(m.tensor(l + "self_attn.o_proj.weight").t());
        const torch::Tensor h2 = norm(x, l + "post_attention_layernorm.weight");
        const torch::Tensor gate = h2.matmul(m.tensor(l + "mlp.gate_proj.weight").t());
        const torch::Tensor up = h2.matmul(m.tensor(l + "mlp.up_proj.weight").t());
        x = x + (gate * torch::sigmoid(gate) * up).matmul(m.tensor(l + "mlp.down_proj.weight").t());
    }
    x = norm(x, "model.norm.weight");
    const bool tied = m.config["tie_word_embeddings"];
    return x.matmul(m.tensor(tied ? "model.embed_tokens.weight" : "lm_head.weight").t());
}

} // namespace ckptlab::test
