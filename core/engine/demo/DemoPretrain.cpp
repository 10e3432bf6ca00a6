#include "engine/demo/DemoPretrain.h"
#include "engine/TorchRuntime.h"

#include "engine/model/CausalLM.h"
#include "engine/EngineError.h"
#include "engine/model/ModelLoader.h"
#include "engine/train/TrainerStep.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

namespace ckptlab::engine {

namespace fs = std::filesystem;

namespace {

void initialiseWeights(CausalLM& model, uint64_t seed)
{
    torch::NoGradGuard noGrad;
    torch::manual_seed(seed);
    for (auto& [name, tensor] : model->hfWeights()) {
        const bool isBias = name.size() > 5 && name.compare(name.size() - 5, 5, ".bias") == 0;
        if (isBias)
            tensor.zero_();
        else if (tensor.dim() == 1) // layer norm gains
            tensor.fill_(1.0);
        else
            tensor.normal_(0.0, 0.02);
    }
}

std::vector<TrainExample> packSequences(const std::vector<int64_t>& tokens, int64_t length, size_t count)
{
    const auto n = static_cast<int64_t>(tokens.size());
    std::vector<TrainExample> out;
    out.reserve(count);
    // Each pass over the stream starts half a sequence later than the one before, so that a
    // repeated pass does not cut the text at the same places.
    for (int64_t pass = 0; out.size() < count; ++pass) {
        const int64_t shift = (pass * (length / 2)) % length;
        for (int64_t begin = shift; begin + length <= n && out.size() < count; begin += length)
            out.push_back(TrainExample{{}, std::vector<int64_t>(tokens.begin() + begin, tokens.begin() + begin + length)});
        if (pass > 0 && out.empty())
            break;
    }
    return out;
}

double meanLoss(CausalLM& model, const std::vector<TrainExample>& sequences)
{
    torch::NoGradGuard noGrad;
    double sum = 0.0;
    int64_t tokens = 0;
    for (size_t begin = 0; begin < sequences.size(); begin += 16) {
        std::vector<const TrainExample*> batch;
        for (size_t i = begin; i < std::min(sequences.size(), begin + 16); ++i)
            batch.push_back(&sequences[i]);
        int64_t count = 0;
        sum += completionLossSum(model, batch, &count).item<double>();
        tokens += count;
    }
    return tokens > 0 ? sum / static_cast<double>(tokens) : 0.0;
}

void checkSettings(const DemoPretrainSettings& s, int64_t maxPositions)
{
    if (s.steps < 1 || s.batchSize < 1 || s.sequenceLength < 2 || s.sequenceLength > maxPositions)
        throw std::invalid_argument("pre-training needs at least one step, one sequence per batch and sequences of 2 to "
                                    + std::to_string(maxPositions) + " tokens");
    if (s.saveSteps.empty() || !std::is_sorted(s.saveSteps.begin(), s.saveSteps.end()) || s.saveSteps.front() < 0
        || s.saveSteps.back() > s.steps)
        throw std::invalid_argument("the save steps must be ascending and lie in [0, steps]");
}

} // namespace

std::string demoNeoXConfigJson(const DemoModelShape& shape)
{
    const nlohmann::ordered_json config = {
        {"architectures", {"GPTNeoXForCausalLM"}},
        {"model_type", "gpt_neox"},
        {"vocab_size", shape.vocabSize},
        {"hidden_size", shape.hiddenSize},
        {"num_hidden_layers", shape.layers},
        {"num_attention_heads", shape.heads},
        {"intermediate_size", 4 * shape.hiddenSize},
        {"hidden_act", "gelu"},
        {"rotary_pct", 0.25},
        {"rotary_emb_base", 10000.0},
        {"max_position_embeddings", shape.maxPositions},
        {"layer_norm_eps", 1e-5},
        {"initializer_range", 0.02},
        {"use_parallel_residual", true},
        {"attention_bias", true},
        {"tie_word_embeddings", false},
        {"use_cache", true},
        {"bos_token_id", shape.endOfTextId},
        {"eos_token_id", shape.endOfTextId},
        {"attention_dropout", 0.0},
        {"hidden_dropout", 0.0},
        {"torch_dtype", "float32"}};
    return config.dump(2) + '\n';
}

DemoPretrainResult pretrainDemoModel(const std::string& configJson, const std::vector<int64_t>& tokens,
                                     const std::vector<int64_t>& heldOutTokens, const DemoPretrainSettings& settings,
                                     const std::string& seriesDir, const TrainProgressCallback& progress,
                                     const std::atomic<bool>* cancel)
{
    const ModelConfig config = parseModelConfigText(configJson, (fs::path(seriesDir) / "config.json").string());
    checkSettings(settings, config.maxPositions);
    const size_t wanted = static_cast<size_t>(settings.steps) * static_cast<size_t>(settings.batchSize);
    const std::vector<TrainExample> sequences = packSequences(tokens, settings.sequenceLength, wanted);
    const std::vector<TrainExample> heldOut = packSequences(heldOutTokens, settings.sequenceLength, 64);
    if (sequences.size() < wanted || heldOut.empty())
        throw std::invalid_argument("the pre-training text is shorter than one sequence");

    CausalLM model(config);
    initialiseWeights(model, settings.seed);
    DemoPretrainResult result;
    result.parameters = parameterCount(model);
    configureThreadsForModel(result.parameters);

    size_t nextSave = 0;
    const auto save = [&](int step) {
        const fs::path dir = fs::path(seriesDir) / ("step" + std::to_string(step));
        std::error_code error;
        fs::create_directories(dir, error);
        if (error)
            throw EngineError(dir.string(), "cannot create the checkpoint folder: " + error.message());
        saveCausalLM(model, dir.string());
        result.checkpointDirs.push_back(dir.string());
        result.heldOutLoss.push_back(meanLoss(model, heldOut));
        ++nextSave;
    };
    while (nextSave < settings.saveSteps.size() && settings.saveSteps[nextSave] == 0)
        save(0);

    TrainConfig train;
    train.epochs = 1;
    train.learningRate = settings.learningRate;
    train.effectiveBatch = settings.batchSize;
    train.warmupRatio = settings.warmupRatio;
    train.weightDecay = settings.weightDecay;
    train.beta2 = 0.95; // the usual pre-training choice; steadier than 0.999 over few steps
    train.maxLength = settings.sequenceLength;
    train.seed = settings.seed;
    const TrainReport report = fineTune(
        model, sequences, train,
        [&](const TrainProgress& p) {
            while (nextSave < settings.saveSteps.size() && settings.saveSteps[nextSave] == p.step)
                save(p.step);
            if (progress)
                progress(p);
        },
        cancel);
    result.cancelled = report.cancelled;
    return result;
}

} // namespace ckptlab::engine
