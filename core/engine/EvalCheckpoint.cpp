#include "engine/EvalCheckpoint.h"

#include "engine/CausalLM.h"
#include "engine/EngineError.h"
#include "engine/EvalTokenizerCodec.h"
#include "engine/Evaluator.h"
#include "engine/ModelLoader.h"
#include "engine/TorchRuntime.h"

#include <torch/torch.h>

#include <filesystem>

namespace ckptlab::engine {

namespace fs = std::filesystem;

struct CheckpointEvaluator::State {
    std::string tokenizerPath;
    TokenizerCodec codec;
    CausalLM model;
};

std::string findTokenizerFolder(const std::string& checkpointDir)
{
    const fs::path dir(checkpointDir);
    for (const fs::path& candidate : {dir, dir.parent_path()})
        if (!candidate.empty() && fs::is_regular_file(candidate / "tokenizer.json"))
            return candidate.string();
    return {};
}

CheckpointEvaluator::CheckpointEvaluator(const std::string& checkpointDir, const std::string& dtype,
                                         const std::string& device)
{
    configureThreads();
    const std::string tokenizerFolder = findTokenizerFolder(checkpointDir);
    if (tokenizerFolder.empty())
        throw EngineError(checkpointDir, "no tokenizer.json in the checkpoint folder or its parent");
    c10::Device where(c10::DeviceType::CPU);
    try {
        where = c10::Device(device);
    } catch (const std::exception&) {
        throw EngineError(checkpointDir, "unknown device \"" + device + "\" (use cpu or cuda:N)");
    }
    m_state = std::unique_ptr<State>(new State{tokenizerFolder, TokenizerCodec(Tokenizer::fromFile(tokenizerFolder)),
                                               loadCausalLM(checkpointDir, parseModelDtype(dtype), where)});
}

CheckpointEvaluator::~CheckpointEvaluator() = default;

EvalResult CheckpointEvaluator::evaluate(const TaskSpec& spec, const EvalRequest& request,
                                         const EvalProgressCallback& progress, const std::atomic<bool>* cancel)
{
    return engine::evaluate(m_state->model, m_state->codec, spec, request, progress, cancel);
}

const std::string& CheckpointEvaluator::tokenizerPath() const
{
    return m_state->tokenizerPath;
}

} // namespace ckptlab::engine
