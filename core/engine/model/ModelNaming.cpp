#include "engine/model/ModelNaming.h"

namespace ckptlab::engine {

namespace {

bool endsWith(const std::string& s, const std::string& suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool startsWith(const std::string& s, const std::string& prefix)
{
    return s.compare(0, prefix.size(), prefix) == 0;
}

const std::string kGpt2Prefix = "transformer.";

LayerTensorNames gpt2Layer(const std::string& p)
{
    LayerTensorNames n;
    n.norm1Weight = p + "ln_1.weight";
    n.norm1Bias = p + "ln_1.bias";
    n.norm2Weight = p + "ln_2.weight";
    n.norm2Bias = p + "ln_2.bias";
    n.qkvWeight = p + "attn.c_attn.weight";
    n.qkvBias = p + "attn.c_attn.bias";
    n.outWeight = p + "attn.c_proj.weight";
    n.outBias = p + "attn.c_proj.bias";
    n.upWeight = p + "mlp.c_fc.weight";
    n.upBias = p + "mlp.c_fc.bias";
    n.downWeight = p + "mlp.c_proj.weight";
    n.downBias = p + "mlp.c_proj.bias";
    return n;
}

LayerTensorNames neoxLayer(const std::string& p, const ModelConfig& c)
{
    LayerTensorNames n;
    n.norm1Weight = p + "input_layernorm.weight";
    n.norm1Bias = p + "input_layernorm.bias";
    n.norm2Weight = p + "post_attention_layernorm.weight";
    n.norm2Bias = p + "post_attention_layernorm.bias";
    n.qkvWeight = p + "attention.query_key_value.weight";
    n.outWeight = p + "attention.dense.weight";
    if (c.attentionBias) {
        n.qkvBias = p + "attention.query_key_value.bias";
        n.outBias = p + "attention.dense.bias";
    }
    n.upWeight = p + "mlp.dense_h_to_4h.weight";
    n.upBias = p + "mlp.dense_h_to_4h.bias";
    n.downWeight = p + "mlp.dense_4h_to_h.weight";
    n.downBias = p + "mlp.dense_4h_to_h.bias";
    return n;
}

LayerTensorNames llamaLayer(const std::string& p, const ModelConfig& c)
{
    LayerTensorNames n;
    if (c.norm == NormKind::RmsNorm) {
        n.norm1Weight = p + "input_layernorm.weight";
        n.norm2Weight = p + "post_attention_layernorm.weight";
    }
    const std::string a = p + "self_attn.";
    n.qWeight = a + "q_proj.weight";
    n.kWeight = a + "k_proj.weight";
    n.vWeight = a + "v_proj.weight";
    n.outWeight = a + "o_proj.weight";
    if (c.attentionBias) {
        n.qBias = a + "q_proj.bias";
        n.kBias = a + "k_proj.bias";
        n.vBias = a + "v_proj.bias";
        n.outBias = a + "o_proj.bias";
    }
    const std::string m = p + "mlp.";
    n.gateWeight = m + "gate_proj.weight";
    n.upWeight = m + "up_proj.weight";
    n.downWeight = m + "down_proj.weight";
    if (c.mlpBias) {
        n.gateBias = m + "gate_proj.bias";
        n.upBias = m + "up_proj.bias";
        n.downBias = m + "down_proj.bias";
    }
    return n;
}

} // namespace

ModelTensorNames hfTensorNames(const ModelConfig& c)
{
    ModelTensorNames n;
    for (int64_t i = 0; i < c.numLayers; ++i) {
        const std::string index = std::to_string(i) + ".";
        switch (c.family) {
        case ModelFamily::Gpt2: n.layers.push_back(gpt2Layer(kGpt2Prefix + "h." + index)); break;
        case ModelFamily::GptNeoX: n.layers.push_back(neoxLayer("gpt_neox.layers." + index, c)); break;
        case ModelFamily::Llama:
        case ModelFamily::Olmo: n.layers.push_back(llamaLayer("model.layers." + index, c)); break;
        }
    }
    switch (c.family) {
    case ModelFamily::Gpt2:
        n.tokenEmbedding = kGpt2Prefix + "wte.weight";
        n.positionEmbedding = kGpt2Prefix + "wpe.weight";
        n.finalNormWeight = kGpt2Prefix + "ln_f.weight";
        n.finalNormBias = kGpt2Prefix + "ln_f.bias";
        n.outputHead = "lm_head.weight";
        break;
    case ModelFamily::GptNeoX:
        n.tokenEmbedding = "gpt_neox.embed_in.weight";
        n.finalNormWeight = "gpt_neox.final_layer_norm.weight";
        n.finalNormBias = "gpt_neox.final_layer_norm.bias";
        n.outputHead = "embed_out.weight";
        break;
    case ModelFamily::Llama:
    case ModelFamily::Olmo:
        n.tokenEmbedding = "model.embed_tokens.weight";
        if (c.norm == NormKind::RmsNorm)
            n.finalNormWeight = "model.norm.weight";
        n.outputHead = "lm_head.weight";
        break;
    }
    if (c.tieWordEmbeddings)
        n.outputHead.clear();
    return n;
}

std::vector<std::string> alternativeTensorNames(const ModelConfig& c, const std::string& canonical)
{
    // GPT2Model (without the LM head) saves its tensors without the "transformer." prefix.
    if (c.family == ModelFamily::Gpt2 && startsWith(canonical, kGpt2Prefix))
        return {canonical.substr(kGpt2Prefix.size())};
    return {};
}

bool isIgnorableTensor(const ModelConfig& c, const std::string& name)
{
    switch (c.family) {
    case ModelFamily::Gpt2:
        if (endsWith(name, ".attn.bias") || endsWith(name, ".attn.masked_bias"))
            return true;
        return c.tieWordEmbeddings && name == "lm_head.weight";
    case ModelFamily::GptNeoX:
        // ".attention.bias" is the causal-mask buffer; the projection biases end in
        // query_key_value.bias and dense.bias.
        if (endsWith(name, ".attention.bias") || endsWith(name, ".attention.masked_bias")
            || endsWith(name, ".attention.rotary_emb.inv_freq"))
            return true;
        return c.tieWordEmbeddings && name == "embed_out.weight";
    case ModelFamily::Llama:
    case ModelFamily::Olmo:
        if (endsWith(name, ".self_attn.rotary_emb.inv_freq"))
            return true;
        return c.tieWordEmbeddings && name == "lm_head.weight";
    }
    return false;
}

} // namespace ckptlab::engine
