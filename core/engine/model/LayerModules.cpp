#include "engine/model/LayerModules.h"

#include "engine/EngineError.h"

#include <torch/torch.h>

namespace ckptlab::engine {

ProjectionImpl::ProjectionImpl(int64_t in, int64_t out, WeightLayout layout, std::string weightName,
                               std::string biasName, const torch::TensorOptions& options)
    : m_layout(layout)
    , m_weightName(std::move(weightName))
    , m_biasName(std::move(biasName))
{
    const std::vector<int64_t> shape = layout == WeightLayout::Linear ? std::vector<int64_t>{out, in}
                                                                      : std::vector<int64_t>{in, out};
    m_weight = register_parameter("weight", torch::empty(shape, options));
    if (!m_biasName.empty())
        m_bias = register_parameter("bias", torch::empty({out}, options));
}

torch::Tensor ProjectionImpl::forward(const torch::Tensor& x)
{
    if (m_layout == WeightLayout::Linear)
        return torch::linear(x, m_weight, m_bias);
    // Conv1D: x [..., in] @ W [in, out] (+ b), without transposing the stored weight.
    auto outShape = x.sizes().vec();
    outShape.back() = m_weight.size(1);
    const torch::Tensor flat = x.reshape({-1, x.size(-1)});
    const torch::Tensor y = m_bias.defined() ? torch::addmm(m_bias, flat, m_weight) : flat.mm(m_weight);
    return y.view(outShape);
}

void ProjectionImpl::appendWeights(NamedWeights& out) const
{
    out.emplace_back(m_weightName, m_weight);
    if (m_bias.defined())
        out.emplace_back(m_biasName, m_bias);
}

NormImpl::NormImpl(NormKind kind, int64_t dim, double eps, std::string weightName, std::string biasName,
                   const torch::TensorOptions& options)
    : m_kind(kind)
    , m_dim(dim)
    , m_eps(eps)
    , m_weightName(std::move(weightName))
    , m_biasName(std::move(biasName))
{
    if (kind != NormKind::NonParametricLayerNorm)
        m_weight = register_parameter("weight", torch::empty({dim}, options));
    if (kind == NormKind::LayerNorm)
        m_bias = register_parameter("bias", torch::empty({dim}, options));
}

torch::Tensor NormImpl::forward(const torch::Tensor& x)
{
    switch (m_kind) {
    case NormKind::LayerNorm:
        return torch::layer_norm(x, {m_dim}, m_weight, m_bias, m_eps);
    case NormKind::RmsNorm: {
        // HF LlamaRMSNorm: normalise in fp32, cast back, then scale by the weight.
        const torch::Tensor xf = x.to(torch::kFloat);
        const torch::Tensor normed = xf * torch::rsqrt(xf.pow(2).mean(-1, /*keepdim=*/true) + m_eps);
        return m_weight * normed.to(x.scalar_type());
    }
    case NormKind::NonParametricLayerNorm:
        // HF OlmoLayerNorm: F.layer_norm in fp32 without weight or bias.
        return torch::layer_norm(x.to(torch::kFloat), {m_dim}, {}, {}, m_eps).to(x.scalar_type());
    }
    return x;
}

void NormImpl::appendWeights(NamedWeights& out) const
{
    if (m_weight.defined())
        out.emplace_back(m_weightName, m_weight);
    if (m_bias.defined())
        out.emplace_back(m_biasName, m_bias);
}

torch::Tensor applyActivation(const std::string& name, const torch::Tensor& x)
{
    if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast")
        return torch::gelu(x, "tanh");
    if (name == "gelu")
        return torch::gelu(x);
    if (name == "silu" || name == "swish")
        return torch::silu(x);
    if (name == "relu")
        return torch::relu(x);
    if (name == "quick_gelu")
        return x * torch::sigmoid(1.702 * x);
    throw EngineError("config.json", "activation \"" + name + "\" is not supported");
}

MlpImpl::MlpImpl(const ModelConfig& c, const LayerTensorNames& n, const torch::TensorOptions& options)
    : m_activation(c.activation)
{
    const WeightLayout layout = c.family == ModelFamily::Gpt2 ? WeightLayout::Conv1D : WeightLayout::Linear;
    const int64_t h = c.hiddenSize, inner = c.intermediateSize;
    if (c.gatedMlp)
        m_gate = register_module("gate", Projection(h, inner, layout, n.gateWeight, n.gateBias, options));
    m_up = register_module("up", Projection(h, inner, layout, n.upWeight, n.upBias, options));
    m_down = register_module("down", Projection(inner, h, layout, n.downWeight, n.downBias, options));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x)
{
    if (m_gate)
        return m_down->forward(applyActivation(m_activation, m_gate->forward(x)) * m_up->forward(x));
    return m_down->forward(applyActivation(m_activation, m_up->forward(x)));
}

void MlpImpl::appendWeights(NamedWeights& out) const
{
    if (m_gate)
        m_gate->appendWeights(out);
    m_up->appendWeights(out);
    m_down->appendWeights(out);
}

} // namespace ckptlab::engine
