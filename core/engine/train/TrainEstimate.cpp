#include "engine/train/TrainEstimate.h"

#include "engine/eval/EvalTokenizerCodec.h"
#include "engine/model/ModelConfig.h"
#include "engine/eval/TaskData.h"
#include "engine/tokenizer/Tokenizer.h"
#include "engine/train/Trainer.h"

#include <algorithm>
#include <filesystem>

namespace ckptlab::engine {

namespace {

int64_t parametersOf(const ModelConfig& c)
{
    const int64_t h = c.hiddenSize, kv = c.numKvHeads > 0 ? c.numKvHeads : c.numHeads;
    const int64_t headDim = c.headDim > 0 ? c.headDim : h / std::max<int64_t>(1, c.numHeads);
    const int64_t attention = h * c.numHeads * headDim + 2 * h * kv * headDim + c.numHeads * headDim * h;
    const int64_t mlp = (c.gatedMlp ? 3 : 2) * h * c.intermediateSize;
    const int64_t norms = 4 * h;
    const int64_t embeddings = c.vocabSize * h * (c.tieWordEmbeddings ? 1 : 2) + (c.learnedPositions ? c.maxPositions * h : 0);
    return c.numLayers * (attention + mlp + norms) + embeddings + 2 * h;
}

} // namespace

TrainFootprint estimateTrainingMemory(const std::string& checkpointDir, int microBatch, int64_t sequenceLength,
                                      bool gradientCheckpointing)
{
    const ModelConfig c = parseModelConfig((std::filesystem::path(checkpointDir) / "config.json").string());
    TrainFootprint f;
    f.parameters = parametersOf(c);
    f.weightBytes = 4 * f.parameters;
    f.gradientBytes = 4 * f.parameters;
    f.optimizerBytes = 8 * f.parameters;
    const int64_t tokens = int64_t(std::max(1, microBatch)) * std::min(sequenceLength, c.maxPositions > 0 ? c.maxPositions : sequenceLength);
    const int64_t h = c.hiddenSize;
    // Per layer and token, in floats: ~16 h for norms, projections and residuals, the MLP's
    // inputs and activations (2-3 x intermediate), and the attention probabilities per head.
    const int64_t perTokenLayer = 16 * h + (c.gatedMlp ? 3 : 2) * c.intermediateSize;
    const int64_t scores = 2 * c.numHeads * tokens * std::min(sequenceLength, tokens);
    const int64_t logits = 3 * tokens * c.vocabSize; // logits, log-softmax, its gradient
    const int64_t oneLayer = perTokenLayer * tokens + scores;
    f.activationBytes = gradientCheckpointing ? 4 * (c.numLayers * h * tokens + oneLayer + logits)
                                              : 4 * (c.numLayers * oneLayer + logits);
    return f;
}

TrainDataSize measureTrainData(const TaskSpec& spec, const std::string& format, const std::string& tokenizerFolder,
                               int64_t maxLength, int64_t trainLimit)
{
    LoadedTask task = loadTask(spec, true);
    if (trainLimit > 0 && static_cast<int64_t>(task.train.size()) > trainLimit)
        task.train.resize(static_cast<size_t>(trainLimit));
    const TokenizerCodec codec(Tokenizer::fromFile(tokenizerFolder));
    TrainDataSize size;
    for (const TrainExample& e : buildTrainExamples(task, codec, format)) {
        const int64_t n = static_cast<int64_t>(e.prompt.size() + e.completion.size());
        size.truncated += n > maxLength ? 1 : 0;
        size.tokens += std::min(n, maxLength);
        size.longest = std::max(size.longest, std::min(n, maxLength));
        ++size.examples;
    }
    return size;
}

} // namespace ckptlab::engine
