#include "engine/eval/Evaluator.h"

#include "engine/eval/BatchRunner.h"
#include "engine/model/CausalLM.h"
#include "engine/EngineError.h"
#include "engine/eval/EvalForward.h"
#include "engine/eval/EvalHash.h"
#include "engine/eval/EvalKinds.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>

namespace ckptlab::engine {

const char* classificationScoringName(ClassificationScoring scoring)
{
    return scoring == ClassificationScoring::NextToken ? "next_token" : "full_label";
}

namespace {

using Clock = std::chrono::steady_clock;

// What one token of one sequence costs in a forward, in bytes: activations and logits of the
// tokens in the current chunk, plus the KV cache when one is kept.
int64_t bytesPerToken(const ModelConfig& c, torch::Dtype dtype, int64_t longest, int64_t chunk, bool cache)
{
    const int64_t element = static_cast<int64_t>(c10::elementSize(dtype));
    const int64_t inChunk = std::min(longest, chunk);
    const int64_t perChunkToken = element * (c.vocabSize + 6 * c.hiddenSize + 2 * c.intermediateSize)
                                  + 4 * c.vocabSize / 8 // float log-softmax of the scored positions
                                  + 8 * c.numHeads * std::max<int64_t>(longest, 1);
    const int64_t cacheBytes = (cache || longest > chunk) ? 2 * c.numLayers * c.numKvHeads * c.headDim * element : 0;
    return cacheBytes + perChunkToken * inChunk / std::max<int64_t>(longest, 1) + 1;
}

} // namespace

EvalResult evaluate(CausalLM& model, const TextCodec& codec, const LoadedTask& task, const EvalRequest& request,
                    const EvalProgressCallback& progress, const std::atomic<bool>* cancel)
{
    const auto start = Clock::now();
    const TaskSpec& spec = task.spec;
    if (cancel && cancel->load())
        throw EvalCancelled();
    const std::string format = request.format.empty() ? spec.defaultFormat : request.format;
    const FewShotPrompts rendered =
        renderFewShotPrompts(task, format, request.shots, request.fewShotSource, request.seed, request.limit);

    const ModelConfig& config = model->config();
    std::vector<int64_t> eosIds = config.eosTokenIds;
    if (const auto eos = codec.eosId())
        eosIds.insert(eosIds.begin(), *eos);
    const int64_t fallback = !eosIds.empty() ? eosIds.front() : 0;

    EvalJob job{model, codec, spec, request, {}, rendered.prompts, {}, config.maxPositions, fallback, eosIds, {}, {}};
    for (size_t i = 0; i < rendered.prompts.size(); ++i)
        job.items.push_back(&task.eval[i]);
    const auto total = static_cast<int64_t>(job.items.size());

    const bool generation = spec.kind == TaskKind::Generation;
    BatchRunStats stats;
    job.run.padding = request.padding;
    job.run.padId = fallback;
    job.run.chunk = kDefaultForwardChunk;
    job.run.cancel = cancel;
    job.run.stats = &stats;
    const int64_t budget = evaluationMemoryBudget();
    const torch::Dtype dtype = model->dtype();
    job.limitsFor = [&, budget, dtype, generation](int64_t longest) {
        return chooseBatchLimits(request.batchSize, bytesPerToken(config, dtype, longest, job.run.chunk, generation),
                                 longest, budget);
    };

    int64_t done = 0;
    job.itemsDone = [&](int64_t n) { done = n; };
    job.run.afterBatch = [&]() {
        if (!progress)
            return;
        const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        progress(EvalProgress{done, total, seconds > 0 ? double(done) / seconds : 0.0});
    };

    KindOutcome outcome;
    switch (spec.kind) {
    case TaskKind::Classification: outcome = runClassification(job); break;
    case TaskKind::MultipleChoice: outcome = runMultipleChoice(job); break;
    case TaskKind::Generation: outcome = runGeneration(job); break;
    }

    EvalResult result;
    result.task = spec.name;
    result.format = format;
    result.shots = request.shots;
    result.kind = taskKindName(spec.kind);
    result.scoring = outcome.scoring;
    result.demonstrationLines = rendered.demoLines;
    result.tokensScored = outcome.tokens;
    result.finalBatchSize = static_cast<int>(stats.finalMaxBatch);
    result.outOfMemoryRetries = stats.outOfMemoryRetries;
    BootstrapOptions bootstrap;
    bootstrap.resamples = request.bootstrapResamples;
    bootstrap.seed = request.seed;
    for (size_t m = 0; m < outcome.metricNames.size(); ++m) {
        std::vector<double> scores;
        for (const EvalPrediction& p : outcome.predictions)
            scores.push_back(p.scores.at(m));
        result.metrics.push_back(summarizeScores(outcome.metricNames[m], scores, bootstrap));
    }
    for (size_t i = 0; i < outcome.predictions.size(); ++i) {
        EvalPrediction& p = outcome.predictions[i];
        p.promptHash = sha256Hex(rendered.prompts[i]);
        p.score = p.scores.empty() ? 0.0 : p.scores.front();
    }
    result.predictions = std::move(outcome.predictions);
    result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    result.itemsPerSecond = result.seconds > 0 ? double(total) / result.seconds : 0.0;
    return result;
}

EvalResult evaluate(CausalLM& model, const TextCodec& codec, const TaskSpec& spec, const EvalRequest& request,
                    const EvalProgressCallback& progress, const std::atomic<bool>* cancel)
{
    const LoadedTask task = loadTask(spec, request.shots > 0 && request.fewShotSource == FewShotSource::TrainSample);
    return evaluate(model, codec, task, request, progress, cancel);
}

} // namespace ckptlab::engine
