#include "engine/model/ModelConfig.h"

#include "engine/EngineError.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <sstream>

namespace ckptlab::engine {

namespace {

using nlohmann::json;

// Typed access to config fields; JSON null counts as absent (HF writes "n_inner": null).
class ConfigReader {
public:
    ConfigReader(const json& j, const std::string& source) : m_json(j), m_source(source) { }

    bool has(const char* key) const
    {
        const auto it = m_json.find(key);
        return it != m_json.end() && !it->is_null();
    }

    [[noreturn]] void fail(const std::string& detail) const { throw EngineError(m_source, detail); }

    int64_t integer(const char* key) const
    {
        if (!has(key))
            fail(std::string("missing field \"") + key + "\"");
        const json& v = m_json.at(key);
        if (v.is_number_integer())
            return v.get<int64_t>();
        if (v.is_number_float()) {
            const double d = v.get<double>();
            if (std::floor(d) == d && std::abs(d) < 9.0e15)
                return static_cast<int64_t>(d);
        }
        fail(std::string("field \"") + key + "\" must be an integer, found " + v.dump());
    }
    int64_t integer(const char* key, int64_t fallback) const { return has(key) ? integer(key) : fallback; }

    double number(const char* key, double fallback) const
    {
        if (!has(key))
            return fallback;
        const json& v = m_json.at(key);
        if (!v.is_number())
            fail(std::string("field \"") + key + "\" must be a number, found " + v.dump());
        return v.get<double>();
    }

    bool boolean(const char* key, bool fallback) const
    {
        if (!has(key))
            return fallback;
        const json& v = m_json.at(key);
        if (!v.is_boolean())
            fail(std::string("field \"") + key + "\" must be true or false, found " + v.dump());
        return v.get<bool>();
    }

    std::string string(const char* key, const std::string& fallback) const
    {
        if (!has(key))
            return fallback;
        const json& v = m_json.at(key);
        if (!v.is_string())
            fail(std::string("field \"") + key + "\" must be a string, found " + v.dump());
        return v.get<std::string>();
    }

    std::vector<int64_t> integerList(const char* key) const
    {
        if (!has(key))
            return {};
        const json& v = m_json.at(key);
        if (v.is_number_integer())
            return {v.get<int64_t>()};
        std::vector<int64_t> ids;
        if (v.is_array()) {
            for (const json& e : v) {
                if (!e.is_number_integer())
                    fail(std::string("field \"") + key + "\" must hold integers, found " + v.dump());
                ids.push_back(e.get<int64_t>());
            }
            return ids;
        }
        fail(std::string("field \"") + key + "\" must be an integer or a list, found " + v.dump());
    }

    const json& raw(const char* key) const { return m_json.at(key); }

private:
    const json& m_json;
    const std::string& m_source;
};

void parseGpt2(const ConfigReader& r, ModelConfig& c)
{
    c.vocabSize = r.integer("vocab_size");
    c.hiddenSize = r.integer("n_embd");
    c.numLayers = r.integer("n_layer");
    c.numHeads = r.integer("n_head");
    c.numKvHeads = c.numHeads;
    c.maxPositions = r.integer("n_positions");
    c.intermediateSize = r.integer("n_inner", 4 * c.hiddenSize);
    c.norm = NormKind::LayerNorm;
    c.normEps = r.number("layer_norm_epsilon", 1e-5);
    c.activation = r.string("activation_function", "gelu_new");
    c.attentionBias = true;
    c.mlpBias = true;
    c.learnedPositions = true;
    c.tieWordEmbeddings = r.boolean("tie_word_embeddings", true);
    c.scaleAttnByInverseLayerIdx = r.boolean("scale_attn_by_inverse_layer_idx", false);
    if (!r.boolean("scale_attn_weights", true))
        r.fail("\"scale_attn_weights\": false is not supported");
}

void parseGptNeoX(const ConfigReader& r, ModelConfig& c)
{
    c.vocabSize = r.integer("vocab_size");
    c.hiddenSize = r.integer("hidden_size");
    c.numLayers = r.integer("num_hidden_layers");
    c.numHeads = r.integer("num_attention_heads");
    c.numKvHeads = c.numHeads;
    c.intermediateSize = r.integer("intermediate_size");
    c.maxPositions = r.integer("max_position_embeddings", 2048);
    c.norm = NormKind::LayerNorm;
    c.normEps = r.number("layer_norm_eps", 1e-5);
    c.activation = r.string("hidden_act", "gelu");
    c.attentionBias = r.boolean("attention_bias", true);
    c.mlpBias = true;
    c.rotary = true;
    c.rotaryPct = r.number("rotary_pct", r.number("partial_rotary_factor", 0.25));
    c.ropeTheta = r.number("rotary_emb_base", r.number("rope_theta", 10000.0));
    c.residual = r.boolean("use_parallel_residual", true) ? ResidualKind::Parallel : ResidualKind::Sequential;
    c.tieWordEmbeddings = r.boolean("tie_word_embeddings", false);
}

void parseRopeScaling(const ConfigReader& r, ModelConfig& c)
{
    if (!r.has("rope_scaling"))
        return;
    const json& s = r.raw("rope_scaling");
    if (!s.is_object())
        r.fail("field \"rope_scaling\" must be an object or null, found " + s.dump());
    const ConfigReader sr(s, c.sourcePath);
    std::string type = sr.string("rope_type", sr.string("type", ""));
    if (type == "default") {
        return;
    }
    if (type != "linear" && type != "llama3")
        r.fail("rope_scaling type \"" + type + "\" is not supported (supported: linear, llama3)");
    c.ropeScaling.type = type;
    c.ropeScaling.factor = sr.number("factor", 1.0);
    c.ropeScaling.lowFreqFactor = sr.number("low_freq_factor", 1.0);
    c.ropeScaling.highFreqFactor = sr.number("high_freq_factor", 4.0);
    c.ropeScaling.originalMaxPositions = sr.number("original_max_position_embeddings", 8192.0);
    if (c.ropeScaling.factor <= 0.0)
        r.fail("rope_scaling factor must be positive");
}

// llama and olmo share everything except the norm and clip_qkv.
void parseLlamaLike(const ConfigReader& r, ModelConfig& c)
{
    c.vocabSize = r.integer("vocab_size");
    c.hiddenSize = r.integer("hidden_size");
    c.numLayers = r.integer("num_hidden_layers");
    c.numHeads = r.integer("num_attention_heads");
    c.numKvHeads = r.integer("num_key_value_heads", c.numHeads);
    c.intermediateSize = r.integer("intermediate_size");
    c.maxPositions = r.integer("max_position_embeddings", 2048);
    c.activation = r.string("hidden_act", "silu");
    c.gatedMlp = true;
    c.attentionBias = r.boolean("attention_bias", false);
    c.mlpBias = r.boolean("mlp_bias", false);
    c.rotary = true;
    c.rotaryPct = 1.0;
    c.ropeTheta = r.number("rope_theta", 10000.0);
    c.tieWordEmbeddings = r.boolean("tie_word_embeddings", false);
    if (r.has("head_dim"))
        c.headDim = r.integer("head_dim");
    parseRopeScaling(r, c);
    if (c.family == ModelFamily::Llama) {
        c.norm = NormKind::RmsNorm;
        c.normEps = r.number("rms_norm_eps", 1e-6);
    } else {
        c.norm = NormKind::NonParametricLayerNorm;
        c.normEps = 1e-5; // OlmoLayerNorm hard-codes eps
        if (r.has("clip_qkv")) {
            c.clipQkv = r.number("clip_qkv", 0.0);
            if (!(*c.clipQkv > 0.0))
                r.fail("field \"clip_qkv\" must be positive or null");
        }
    }
}

void validate(const ConfigReader& r, ModelConfig& c)
{
    const auto positive = [&](int64_t value, const char* what) {
        if (value <= 0)
            r.fail(std::string(what) + " must be positive, found " + std::to_string(value));
    };
    positive(c.vocabSize, "vocabulary size");
    positive(c.hiddenSize, "hidden size");
    positive(c.numLayers, "number of layers");
    positive(c.numHeads, "number of attention heads");
    positive(c.numKvHeads, "number of key/value heads");
    positive(c.intermediateSize, "intermediate size");
    positive(c.maxPositions, "maximum positions");
    if (c.headDim == 0) {
        if (c.hiddenSize % c.numHeads != 0)
            r.fail("hidden size " + std::to_string(c.hiddenSize) + " is not divisible by "
                   + std::to_string(c.numHeads) + " attention heads");
        c.headDim = c.hiddenSize / c.numHeads;
    }
    positive(c.headDim, "head dimension");
    if (c.numHeads % c.numKvHeads != 0)
        r.fail(std::to_string(c.numHeads) + " attention heads cannot be shared evenly by "
               + std::to_string(c.numKvHeads) + " key/value heads");
    if (!(c.normEps > 0.0))
        r.fail("normalisation epsilon must be positive");
    if (c.rotary) {
        if (!(c.rotaryPct > 0.0 && c.rotaryPct <= 1.0))
            r.fail("rotary_pct must be in (0, 1], found " + std::to_string(c.rotaryPct));
        if (!(c.ropeTheta > 0.0))
            r.fail("rotary base must be positive");
        if (c.rotaryDim() < 2 || c.rotaryDim() % 2 != 0)
            r.fail("rotary dimensions per head must be a positive even number, found "
                   + std::to_string(c.rotaryDim()));
    }
    static const char* const kActivations[] = {"gelu", "gelu_new", "gelu_pytorch_tanh", "gelu_fast",
                                               "relu", "silu", "swish", "quick_gelu"};
    bool known = false;
    for (const char* a : kActivations)
        known = known || c.activation == a;
    if (!known)
        r.fail("activation \"" + c.activation + "\" is not supported");
}

} // namespace

int64_t ModelConfig::rotaryDim() const
{
    if (!rotary)
        return 0;
    // HF: rotary_ndims = int(head_size * rotary_pct)
    return static_cast<int64_t>(static_cast<double>(headDim) * rotaryPct);
}

const char* familyName(ModelFamily family)
{
    switch (family) {
    case ModelFamily::Gpt2: return "gpt2";
    case ModelFamily::GptNeoX: return "gpt_neox";
    case ModelFamily::Llama: return "llama";
    case ModelFamily::Olmo: return "olmo";
    }
    return "unknown";
}

ModelConfig parseModelConfigText(const std::string& jsonText, const std::string& sourceName)
{
    json j;
    try {
        j = json::parse(jsonText);
    } catch (const json::parse_error& e) {
        throw EngineError(sourceName, std::string("not valid JSON: ") + e.what());
    }
    if (!j.is_object())
        throw EngineError(sourceName, "config must be a JSON object");

    ModelConfig c;
    c.sourcePath = sourceName;
    c.rawJson = jsonText;
    const ConfigReader r(j, c.sourcePath);
    if (!r.has("model_type"))
        r.fail("missing field \"model_type\"");
    c.modelType = r.string("model_type", "");
    if (c.modelType == "gpt2")
        c.family = ModelFamily::Gpt2;
    else if (c.modelType == "gpt_neox")
        c.family = ModelFamily::GptNeoX;
    else if (c.modelType == "llama")
        c.family = ModelFamily::Llama;
    else if (c.modelType == "olmo")
        c.family = ModelFamily::Olmo;
    else
        r.fail("unknown model_type \"" + c.modelType + "\" (supported: gpt2, gpt_neox, llama, olmo)");

    switch (c.family) {
    case ModelFamily::Gpt2: parseGpt2(r, c); break;
    case ModelFamily::GptNeoX: parseGptNeoX(r, c); break;
    case ModelFamily::Llama:
    case ModelFamily::Olmo: parseLlamaLike(r, c); break;
    }

    if (r.has("bos_token_id"))
        c.bosTokenId = r.integer("bos_token_id");
    c.eosTokenIds = r.integerList("eos_token_id");
    if (r.has("pad_token_id"))
        c.padTokenId = r.integer("pad_token_id");
    c.torchDtype = r.string("torch_dtype", r.string("dtype", ""));
    validate(r, c);
    return c;
}

ModelConfig parseModelConfig(const std::string& configJsonPath)
{
    std::ifstream in(configJsonPath, std::ios::binary);
    if (!in)
        throw EngineError(configJsonPath, "cannot open the model config (config.json)");
    std::ostringstream text;
    text << in.rdbuf();
    return parseModelConfigText(text.str(), configJsonPath);
}

} // namespace ckptlab::engine
