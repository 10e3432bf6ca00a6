#pragma once

// Building blocks of the decoder families: projections in either weight layout, the three
// norms, the MLPs. Engine-internal. Parameters are created uninitialised (torch::empty): a
// model is only usable after ModelLoader filled every one of them from a checkpoint.

#include "engine/model/ModelConfig.h"
#include "engine/model/ModelNaming.h"

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <string>
#include <utility>
#include <vector>

namespace ckptlab::engine {

// (Hugging Face name, parameter) pairs, in file order.
using NamedWeights = std::vector<std::pair<std::string, torch::Tensor>>;

enum class WeightLayout {
    Linear, // [out, in], y = x W^T + b (torch.nn.Linear)
    Conv1D, // [in, out], y = x W + b   (GPT-2's transformers Conv1D)
};

class ProjectionImpl : public torch::nn::Module {
public:
    ProjectionImpl(int64_t in, int64_t out, WeightLayout layout, std::string weightName, std::string biasName,
                   const torch::TensorOptions& options);
    torch::Tensor forward(const torch::Tensor& x);
    void appendWeights(NamedWeights& out) const;

private:
    WeightLayout m_layout;
    std::string m_weightName, m_biasName;
    torch::Tensor m_weight, m_bias; // m_bias undefined without bias
};
TORCH_MODULE(Projection);

class NormImpl : public torch::nn::Module {
public:
    NormImpl(NormKind kind, int64_t dim, double eps, std::string weightName, std::string biasName,
             const torch::TensorOptions& options);
    torch::Tensor forward(const torch::Tensor& x);
    void appendWeights(NamedWeights& out) const;

private:
    NormKind m_kind;
    int64_t m_dim;
    double m_eps;
    std::string m_weightName, m_biasName;
    torch::Tensor m_weight, m_bias;
};
TORCH_MODULE(Norm);

// Throws EngineError for a name parseModelConfig would not have let through.
torch::Tensor applyActivation(const std::string& name, const torch::Tensor& x);

class MlpImpl : public torch::nn::Module {
public:
    MlpImpl(const ModelConfig& config, const LayerTensorNames& names, const torch::TensorOptions& options);
    torch::Tensor forward(const torch::Tensor& x);
    void appendWeights(NamedWeights& out) const;

private:
    std::string m_activation;
    Projection m_up{nullptr}, m_gate{nullptr}, m_down{nullptr}; // m_gate only when gated
};
TORCH_MODULE(Mlp);

} // namespace ckptlab::engine
