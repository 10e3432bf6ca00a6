#include "engine/model/Inference.h"

#include "engine/model/CausalLM.h"
#include "engine/EngineError.h"
#include "engine/model/ModelLoader.h"
#include "engine/TorchRuntime.h"

#include <torch/torch.h>

namespace ckptlab::engine {

SequenceLogits forwardLogits(const std::string& checkpointDir, const std::vector<std::int64_t>& ids,
                             const std::string& dtype, const std::string& device)
{
    if (ids.empty())
        throw EngineError(checkpointDir, "no token ids given");
    configureThreads();
    const c10::ScalarType scalar = parseModelDtype(dtype);
    c10::Device where(c10::DeviceType::CPU);
    try {
        where = c10::Device(device);
    } catch (const std::exception&) {
        throw EngineError(checkpointDir, "unknown device \"" + device + "\" (use cpu or cuda:N)");
    }
    CausalLM model = loadCausalLM(checkpointDir, scalar, where);
    torch::NoGradGuard noGrad;
    const torch::Tensor input = torch::tensor(ids, torch::kLong).unsqueeze(0).to(where);
    const torch::Tensor logits = model->forward(input).squeeze(0).to(torch::kCPU, torch::kFloat).contiguous();
    SequenceLogits out;
    out.tokens = logits.size(0);
    out.vocab = logits.size(1);
    out.values.assign(logits.data_ptr<float>(), logits.data_ptr<float>() + logits.numel());
    return out;
}

} // namespace ckptlab::engine
