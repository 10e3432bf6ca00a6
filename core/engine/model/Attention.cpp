#include "engine/model/Attention.h"

#include "engine/model/KvCache.h"
#include "engine/model/Rotary.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>

namespace ckptlab::engine {

AttentionImpl::AttentionImpl(const ModelConfig& c, const LayerTensorNames& n, int64_t layerIndex,
                             const torch::TensorOptions& options)
    : m_layerIndex(layerIndex)
    , m_numHeads(c.numHeads)
    , m_numKvHeads(c.numKvHeads)
    , m_headDim(c.headDim)
{
    const int64_t h = c.hiddenSize;
    const int64_t qWidth = m_numHeads * m_headDim;
    const int64_t kvWidth = m_numKvHeads * m_headDim;
    m_scale = 1.0 / std::sqrt(static_cast<double>(m_headDim));
    switch (c.family) {
    case ModelFamily::Gpt2:
        m_layout = QkvLayout::FusedBlocks;
        if (c.scaleAttnByInverseLayerIdx)
            m_scale /= static_cast<double>(layerIndex + 1);
        m_qkv = register_module("qkv", Projection(h, 3 * qWidth, WeightLayout::Conv1D, n.qkvWeight, n.qkvBias, options));
        m_out = register_module("out", Projection(qWidth, h, WeightLayout::Conv1D, n.outWeight, n.outBias, options));
        return;
    case ModelFamily::GptNeoX:
        m_layout = QkvLayout::FusedPerHead;
        m_qkv = register_module("qkv", Projection(h, 3 * qWidth, WeightLayout::Linear, n.qkvWeight, n.qkvBias, options));
        m_out = register_module("out", Projection(qWidth, h, WeightLayout::Linear, n.outWeight, n.outBias, options));
        return;
    case ModelFamily::Llama:
    case ModelFamily::Olmo:
        m_layout = QkvLayout::Separate;
        if (c.clipQkv)
            m_clipQkv = *c.clipQkv;
        m_q = register_module("q", Projection(h, qWidth, WeightLayout::Linear, n.qWeight, n.qBias, options));
        m_k = register_module("k", Projection(h, kvWidth, WeightLayout::Linear, n.kWeight, n.kBias, options));
        m_v = register_module("v", Projection(h, kvWidth, WeightLayout::Linear, n.vWeight, n.vBias, options));
        m_out = register_module("out", Projection(qWidth, h, WeightLayout::Linear, n.outWeight, n.outBias, options));
        return;
    }
}

// q [B, H, T, D], k and v [B, Hkv, T, D].
std::tuple<torch::Tensor, torch::Tensor, torch::Tensor> AttentionImpl::projectQkv(const torch::Tensor& x)
{
    const int64_t b = x.size(0), t = x.size(1);
    const auto heads = [&](const torch::Tensor& y, int64_t count) {
        return y.view({b, t, count, m_headDim}).transpose(1, 2);
    };
    switch (m_layout) {
    case QkvLayout::FusedBlocks: {
        const auto parts = m_qkv->forward(x).split(m_numHeads * m_headDim, -1);
        return {heads(parts[0], m_numHeads), heads(parts[1], m_numHeads), heads(parts[2], m_numHeads)};
    }
    case QkvLayout::FusedPerHead: {
        const torch::Tensor qkv = m_qkv->forward(x).view({b, t, m_numHeads, 3 * m_headDim}).transpose(1, 2);
        return {qkv.narrow(-1, 0, m_headDim), qkv.narrow(-1, m_headDim, m_headDim),
                qkv.narrow(-1, 2 * m_headDim, m_headDim)};
    }
    case QkvLayout::Separate: {
        torch::Tensor q = m_q->forward(x), k = m_k->forward(x), v = m_v->forward(x);
        if (m_clipQkv > 0.0) {
            // HF OLMo clamps the projections before rotary.
            q = q.clamp(-m_clipQkv, m_clipQkv);
            k = k.clamp(-m_clipQkv, m_clipQkv);
            v = v.clamp(-m_clipQkv, m_clipQkv);
        }
        return {heads(q, m_numHeads), heads(k, m_numKvHeads), heads(v, m_numKvHeads)};
    }
    }
    return {};
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, const AttentionContext& context)
{
    const int64_t b = x.size(0), t = x.size(1);
    auto [q, k, v] = projectQkv(x);
    if (context.rotary) {
        q = context.rotary->apply(q, context.cos, context.sin);
        k = context.rotary->apply(k, context.cos, context.sin);
    }
    if (context.cache)
        std::tie(k, v) = context.cache->append(m_layerIndex, k, v);
    const int64_t s = k.size(2);
    const int64_t group = m_numHeads / m_numKvHeads;

    // Grouped-query attention without repeating keys: query heads h = kv * group + g share
    // kv head kv, so [B, H, T, D] regroups as [B, Hkv, group * T, D] against [B, Hkv, S, D].
    const torch::Tensor qGrouped = (q * m_scale).reshape({b, m_numKvHeads, group * t, m_headDim});
    torch::Tensor scores = qGrouped.matmul(k.transpose(-1, -2)).view({b, m_numKvHeads, group, t, s});
    // Softmax in fp32 (as HF does for half precision); a fully masked row (a padding query)
    // becomes uniform instead of NaN because the fill value is finite.
    scores = scores.to(torch::kFloat)
                 .masked_fill(context.allowed.unsqueeze(2).logical_not(), std::numeric_limits<float>::lowest());
    const torch::Tensor probs = torch::softmax(scores, -1).to(v.scalar_type());
    const torch::Tensor out = probs.view({b, m_numKvHeads, group * t, s})
                                  .matmul(v)
                                  .view({b, m_numHeads, t, m_headDim})
                                  .transpose(1, 2)
                                  .reshape({b, t, m_numHeads * m_headDim});
    return m_out->forward(out);
}

void AttentionImpl::appendWeights(NamedWeights& out) const
{
    if (m_qkv) {
        m_qkv->appendWeights(out);
    } else {
        m_q->appendWeights(out);
        m_k->appendWeights(out);
        m_v->appendWeights(out);
    }
    m_out->appendWeights(out);
}

} // namespace ckptlab::engine
