#pragma once

// Support for the task, metric and evaluator tests: a byte-level text codec (each byte one id,
// EOS 256), tiny random checkpoints with a 260-token vocabulary written by the engine's own
// writer, small data files, and plain reference computations (full forward per sequence, no
// batching, no cache) to check the evaluator against.

#include "engine/model/CausalLM.h"
#include "engine/eval/EvalTypes.h"
#include "engine/model/ModelConfig.h"
#include "engine/model/ModelLoader.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QString>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace ckptlab::test {

constexpr int64_t kByteVocab = 260; // 256 bytes + EOS (256) + three ids no text maps to

class ByteCodec : public engine::TextCodec {
public:
    explicit ByteCodec(std::optional<int64_t> eos = 256)
        : m_eos(eos)
    {
    }
    std::vector<int64_t> encode(std::string_view text) const override
    {
        std::vector<int64_t> ids;
        for (const char c : text)
            ids.push_back(static_cast<unsigned char>(c));
        return ids;
    }
    std::string decode(const std::vector<int64_t>& ids) const override
    {
        std::string out;
        for (const int64_t id : ids) {
            if (id >= 0 && id < 256)
                out += static_cast<char>(id);
        }
        return out;
    }
    std::optional<int64_t> eosId() const override { return m_eos; }

private:
    std::optional<int64_t> m_eos;
};

inline std::string tinyConfigJson(const std::string& family)
{
    nlohmann::json c;
    if (family == "gpt2") {
        c = {{"model_type", "gpt2"}, {"vocab_size", kByteVocab}, {"n_positions", 512}, {"n_embd", 32},
             {"n_layer", 2}, {"n_head", 4}, {"n_inner", nullptr}, {"activation_function", "gelu_new"},
             {"layer_norm_epsilon", 1e-5}, {"tie_word_embeddings", true}, {"bos_token_id", 257},
             {"eos_token_id", 257}, {"torch_dtype", "float32"}};
    } else {
        c = {{"model_type", "gpt_neox"}, {"vocab_size", kByteVocab}, {"hidden_size", 32},
             {"num_hidden_layers", 2}, {"num_attention_heads", 4}, {"intermediate_size", 64},
             {"hidden_act", "gelu"}, {"rotary_pct", 0.5}, {"rotary_emb_base", 10000},
             {"max_position_embeddings", 512}, {"layer_norm_eps", 1e-5}, {"use_parallel_residual", true},
             {"tie_word_embeddings", false}, {"bos_token_id", 257}, {"eos_token_id", 257},
             {"torch_dtype", "float32"}};
    }
    return c.dump();
}

// Writes a random checkpoint of `family` ("gpt_neox" or "gpt2") into directory and loads it.
inline engine::CausalLM writeAndLoadTinyModel(const QString& directory, const std::string& family, uint64_t seed)
{
    QDir().mkpath(directory);
    const engine::ModelConfig config = engine::parseModelConfigText(tinyConfigJson(family), family + " tiny config");
    engine::CausalLM model(config);
    {
        torch::NoGradGuard noGrad;
        torch::manual_seed(seed);
        for (auto& [name, tensor] : model->hfWeights()) {
            const bool norm = name.find("ln") != std::string::npos || name.find("norm") != std::string::npos;
            const bool bias = name.size() > 4 && name.compare(name.size() - 4, 4, "bias") == 0;
            if (norm && !bias)
                tensor.normal_(1.0, 0.1);
            else
                tensor.normal_(0.0, bias ? 0.1 : 0.3);
        }
    }
    engine::saveCausalLM(model, directory.toStdString());
    return engine::loadCausalLM(directory.toStdString());
}

inline void writeTextFile(const QString& path, const std::string& text)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        throw std::runtime_error("cannot write " + path.toStdString());
    file.write(text.data(), static_cast<qint64>(text.size()));
}

inline std::string jsonl(const std::vector<nlohmann::json>& records)
{
    std::string out;
    for (const auto& r : records)
        out += r.dump() + "\n";
    return out;
}

// log p(continuation | context) by one full forward of context + continuation, no batching.
inline double referenceLogLikelihood(engine::CausalLM& model, const std::vector<int64_t>& context,
                                     const std::vector<int64_t>& continuation)
{
    torch::NoGradGuard noGrad;
    std::vector<int64_t> whole = context;
    whole.insert(whole.end(), continuation.begin(), continuation.end());
    const torch::Tensor logits = model->forward(torch::tensor(whole, torch::kLong).unsqueeze(0)).squeeze(0);
    const torch::Tensor logProbs = torch::log_softmax(logits.to(torch::kDouble), -1);
    double total = 0.0;
    for (size_t j = 0; j < continuation.size(); ++j)
        total += logProbs[static_cast<int64_t>(context.size() + j - 1)][continuation[j]].item<double>();
    return total;
}

// Next-token logits after `context`, by one full forward.
inline torch::Tensor referenceNextLogits(engine::CausalLM& model, const std::vector<int64_t>& context)
{
    torch::NoGradGuard noGrad;
    const torch::Tensor logits = model->forward(torch::tensor(context, torch::kLong).unsqueeze(0));
    return logits[0][static_cast<int64_t>(context.size()) - 1].to(torch::kDouble);
}

// Greedy decoding without a cache: a full forward over prompt + generated for every token.
inline std::vector<int64_t> referenceGreedy(engine::CausalLM& model, const std::vector<int64_t>& prompt, int count,
                                            const std::vector<int64_t>& eosIds)
{
    std::vector<int64_t> sequence = prompt, generated;
    for (int i = 0; i < count; ++i) {
        const int64_t next = referenceNextLogits(model, sequence).argmax().item<int64_t>();
        if (std::find(eosIds.begin(), eosIds.end(), next) != eosIds.end())
            break;
        generated.push_back(next);
        sequence.push_back(next);
    }
    return generated;
}

} // namespace ckptlab::test
