#include "engine/LoadedCheckpoint.h"

#include "engine/model/CausalLM.h"
#include "engine/EngineError.h"
#include "engine/eval/EvalTokenizerCodec.h"
#include "engine/eval/Evaluator.h"
#include "engine/model/ModelLoader.h"
#include "engine/eval/TaskData.h"
#include "engine/TorchRuntime.h"

#include <torch/torch.h>

#include <filesystem>

namespace ckptlab::engine {

namespace fs = std::filesystem;

struct LoadedCheckpoint::State {
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

LoadedCheckpoint::LoadedCheckpoint(const std::string& checkpointDir, const std::string& dtype,
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
    configureThreadsForModel(engine::parameterCount(m_state->model));
}

LoadedCheckpoint::~LoadedCheckpoint() = default;

EvalResult LoadedCheckpoint::evaluate(const TaskSpec& spec, const EvalRequest& request,
                                         const EvalProgressCallback& progress, const std::atomic<bool>* cancel)
{
    return engine::evaluate(m_state->model, m_state->codec, spec, request, progress, cancel);
}

FineTuneOutcome LoadedCheckpoint::fineTune(const TaskSpec& spec, const std::string& format, const TrainConfig& config,
                                           const TrainProgressCallback& progress, const std::atomic<bool>* cancel,
                                           int64_t trainLimit)
{
    LoadedTask task = loadTask(spec, true);
    if (trainLimit > 0 && static_cast<int64_t>(task.train.size()) > trainLimit)
        task.train.resize(static_cast<size_t>(trainLimit));
    const std::vector<TrainExample> examples = buildTrainExamples(task, m_state->codec, format);
    FineTuneOutcome out;
    out.examples = examples.size();
    out.parameters = engine::parameterCount(m_state->model);
    try {
        out.report = engine::fineTune(m_state->model, examples, config, progress, cancel);
    } catch (const std::invalid_argument& e) {
        throw EngineError(spec.sourcePath, std::string("cannot fine-tune: ") + e.what());
    }
    return out;
}

void LoadedCheckpoint::save(const std::string& directory) const
{
    std::error_code error;
    fs::create_directories(directory, error);
    if (error)
        throw EngineError(directory, "cannot create the model folder: " + error.message());
    saveCausalLM(m_state->model, directory);
    for (const char* name : {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"}) {
        const fs::path from = fs::path(m_state->tokenizerPath) / name;
        if (!fs::is_regular_file(from))
            continue;
        fs::copy_file(from, fs::path(directory) / name, fs::copy_options::overwrite_existing, error);
        if (error)
            throw EngineError((fs::path(directory) / name).string(), "cannot copy the tokenizer: " + error.message());
    }
}

int64_t LoadedCheckpoint::parameterCount() const
{
    return engine::parameterCount(m_state->model);
}

const std::string& LoadedCheckpoint::tokenizerPath() const
{
    return m_state->tokenizerPath;
}

} // namespace ckptlab::engine
