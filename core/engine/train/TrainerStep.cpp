#include "engine/train/TrainerStep.h"

#include "engine/eval/BatchRunner.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ckptlab::engine {

TrainExample fitToLength(const TrainExample& example, int64_t maxLength, bool* truncated)
{
    if (maxLength < 2)
        throw std::invalid_argument("the maximum sequence length must be at least 2");
    TrainExample out = example;
    const auto total = static_cast<int64_t>(out.prompt.size() + out.completion.size());
    const bool cut = total > maxLength;
    if (cut) {
        int64_t excess = total - maxLength;
        const int64_t fromPrompt = std::min<int64_t>(excess, static_cast<int64_t>(out.prompt.size()));
        out.prompt.erase(out.prompt.begin(), out.prompt.begin() + fromPrompt);
        excess -= fromPrompt;
        if (excess > 0)
            out.completion.resize(out.completion.size() - static_cast<size_t>(excess));
    }
    if (truncated)
        *truncated = cut;
    return out;
}

namespace {

// bf16 autocast on CUDA for the guard's lifetime (the forward only; backward runs outside).
class CudaBf16Autocast {
public:
    explicit CudaBf16Autocast(bool on)
        : m_on(on)
    {
        if (!m_on)
            return;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
        m_wasEnabled = at::autocast::is_autocast_enabled(at::kCUDA);
        m_wasDtype = at::autocast::get_autocast_dtype(at::kCUDA);
        at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
        at::autocast::set_autocast_enabled(at::kCUDA, true);
#else
        m_wasEnabled = at::autocast::is_enabled();
        m_wasDtype = at::autocast::get_autocast_gpu_dtype();
        at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
        at::autocast::set_enabled(true);
#endif
        at::autocast::increment_nesting();
    }
    ~CudaBf16Autocast()
    {
        if (!m_on)
            return;
        if (at::autocast::decrement_nesting() == 0)
            at::autocast::clear_cache();
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
        at::autocast::set_autocast_enabled(at::kCUDA, m_wasEnabled);
        at::autocast::set_autocast_dtype(at::kCUDA, m_wasDtype);
#else
        at::autocast::set_enabled(m_wasEnabled);
        at::autocast::set_autocast_gpu_dtype(m_wasDtype);
#endif
    }
    CudaBf16Autocast(const CudaBf16Autocast&) = delete;
    CudaBf16Autocast& operator=(const CudaBf16Autocast&) = delete;

private:
    bool m_on;
    bool m_wasEnabled = false;
    at::ScalarType m_wasDtype = at::kHalf;
};

} // namespace

torch::Tensor completionLossSum(CausalLM& model, const std::vector<const TrainExample*>& batch, int64_t* tokens,
                                bool autocastBf16)
{
    size_t width = 0;
    for (const TrainExample* e : batch)
        width = std::max(width, e->prompt.size() + e->completion.size());
    const auto b = static_cast<int64_t>(batch.size());
    const auto t = static_cast<int64_t>(width);
    std::vector<int64_t> ids(static_cast<size_t>(b * t), 0), mask(static_cast<size_t>(b * t), 0),
        labels(static_cast<size_t>(b * t), -100);
    int64_t count = 0;
    for (int64_t i = 0; i < b; ++i) {
        const TrainExample& e = *batch[static_cast<size_t>(i)];
        size_t j = 0;
        for (const int64_t id : e.prompt) {
            ids[static_cast<size_t>(i * t) + j] = id;
            mask[static_cast<size_t>(i * t) + j++] = 1;
        }
        for (const int64_t id : e.completion) {
            ids[static_cast<size_t>(i * t) + j] = id;
            mask[static_cast<size_t>(i * t) + j] = 1;
            if (j > 0) { // the first token of a sequence has nothing to be predicted from
                labels[static_cast<size_t>(i * t) + j] = id;
                ++count;
            }
            ++j;
        }
    }
    const torch::Device device = model->device();
    const auto make = [&](std::vector<int64_t>& v) {
        return torch::tensor(v, torch::kLong).view({b, t}).to(device);
    };
    const torch::Tensor input = make(ids), attention = make(mask), target = make(labels);
    if (tokens)
        *tokens = count;
    torch::Tensor logits;
    {
        const CudaBf16Autocast autocast(autocastBf16 && device.is_cuda() && model->dtype() == torch::kFloat);
        logits = model->forward(input, attention);
    }
    const torch::Tensor shifted = logits.slice(1, 0, t - 1).to(torch::kFloat).reshape({-1, logits.size(2)});
    const torch::Tensor next = target.slice(1, 1, t).reshape({-1});
    return torch::nn::functional::cross_entropy(
        shifted, next, torch::nn::functional::CrossEntropyFuncOptions().ignore_index(-100).reduction(torch::kSum));
}

StepGradients accumulateStepGradients(CausalLM& model, const std::vector<const TrainExample*>& batch,
                                      int microBatch, bool autocastBf16)
{
    StepGradients out;
    for (const TrainExample* e : batch) {
        out.tokens += static_cast<int64_t>(e->prompt.size() + e->completion.size());
        const int64_t loss = static_cast<int64_t>(e->completion.size()) - (e->prompt.empty() ? 1 : 0);
        out.lossTokens += std::max<int64_t>(0, loss);
    }
    if (out.lossTokens == 0)
        return out;
    const size_t step = static_cast<size_t>(std::max(1, microBatch));
    double total = 0.0;
    for (size_t begin = 0; begin < batch.size(); begin += step) {
        const std::vector<const TrainExample*> micro(batch.begin() + static_cast<std::ptrdiff_t>(begin),
                                                     batch.begin() + static_cast<std::ptrdiff_t>(std::min(batch.size(), begin + step)));
        int64_t count = 0;
        const torch::Tensor sum = completionLossSum(model, micro, &count, autocastBf16);
        if (count == 0)
            continue;
        (sum / static_cast<double>(out.lossTokens)).backward();
        total += sum.item<double>();
    }
    out.loss = total / static_cast<double>(out.lossTokens);
    return out;
}

StepGradients runStepWithBackoff(CausalLM& model, const std::vector<const TrainExample*>& batch, int* microBatch,
                                 int* retries, const MicroStepRunner& run)
{
    for (;;) {
        try {
            return run(model, batch, *microBatch);
        } catch (const std::exception& error) {
            if (!isOutOfMemory(error) || *microBatch <= 1)
                throw;
        }
        model->zero_grad(); // a half-run step leaves partial gradients
        *microBatch = (*microBatch + 1) / 2;
        if (retries)
            ++*retries;
    }
}

double clipGradients(CausalLM& model, double maxNorm)
{
    std::vector<torch::Tensor> grads;
    for (const torch::Tensor& p : model->parameters()) {
        if (p.grad().defined())
            grads.push_back(p.grad());
    }
    if (grads.empty())
        return 0.0;
    std::vector<torch::Tensor> norms; // one device sync for the whole model
    norms.reserve(grads.size());
    for (const torch::Tensor& g : grads)
        norms.push_back(g.norm(2).to(torch::kDouble));
    const double norm = torch::stack(norms).norm(2).item<double>();
    if (maxNorm > 0.0 && norm > maxNorm) {
        torch::NoGradGuard noGrad;
        const double scale = maxNorm / (norm + 1e-6);
        for (torch::Tensor& g : grads)
            g.mul_(scale);
    }
    return norm;
}

} // namespace ckptlab::engine
