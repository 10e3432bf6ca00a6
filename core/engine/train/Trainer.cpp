#include "engine/train/Trainer.h"

#include "engine/EngineError.h"
#include "engine/eval/EvalTypes.h"
#include "engine/eval/PromptFewShot.h"
#include "engine/SeededRandom.h"
#include "engine/eval/TaskData.h"
#include "engine/train/TrainerState.h"
#include "engine/train/TrainerStep.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace ckptlab::engine {

std::vector<TrainExample> buildTrainExamples(const LoadedTask& task, const TextCodec& codec, const std::string& format)
{
    const TaskSpec& spec = task.spec;
    if (task.train.empty())
        throw EngineError(spec.trainFile.empty() ? spec.sourcePath : spec.trainFile,
                          "fine-tuning needs training examples, and none are loaded");
    std::vector<TrainExample> out;
    out.reserve(task.train.size());
    const std::optional<int64_t> eos = codec.eosId();
    for (const TaskExample& example : task.train) {
        TrainExample e;
        e.prompt = codec.encode(renderPrompt(spec, format, example));
        e.completion = codec.encode(example.answerText(spec));
        if (eos)
            e.completion.push_back(*eos);
        out.push_back(std::move(e));
    }
    return out;
}

int plannedSteps(size_t examples, const TrainConfig& config)
{
    const auto batch = static_cast<size_t>(std::max(1, config.effectiveBatch));
    return static_cast<int>((examples + batch - 1) / batch) * std::max(0, config.epochs);
}

int warmupSteps(int totalSteps, double warmupRatio)
{
    return static_cast<int>(std::ceil(static_cast<double>(totalSteps) * std::max(0.0, warmupRatio) - 1e-9));
}

double scheduledLearningRate(int step, int totalSteps, int warmup, double peak)
{
    if (step < warmup)
        return peak * static_cast<double>(step) / static_cast<double>(std::max(1, warmup));
    const double left = static_cast<double>(totalSteps - step) / static_cast<double>(std::max(1, totalSteps - warmup));
    return peak * std::max(0.0, left);
}

std::vector<size_t> epochOrder(size_t n, uint64_t seed, int epoch)
{
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), size_t(0));
    uint64_t state = seed ^ (0xA24BAED4963EE407ull * static_cast<uint64_t>(epoch + 1));
    for (size_t i = n; i > 1; --i) // Fisher-Yates
        std::swap(order[i - 1], order[static_cast<size_t>(boundedRandom(state, i))]);
    return order;
}

namespace {

void checkConfig(const TrainConfig& c)
{
    if (c.epochs < 1)
        throw std::invalid_argument("fine-tuning needs at least one epoch");
    if (c.effectiveBatch < 1 || c.microBatch < 0)
        throw std::invalid_argument("the batch sizes must be positive");
    if (!(c.learningRate >= 0.0) || !(c.weightDecay >= 0.0) || !(c.adamEps > 0.0))
        throw std::invalid_argument("the learning rate, weight decay and epsilon must be non-negative");
    if (c.warmupRatio < 0.0 || c.warmupRatio > 1.0)
        throw std::invalid_argument("the warm-up ratio must lie in [0, 1]");
    if (c.beta1 < 0.0 || c.beta1 >= 1.0 || c.beta2 < 0.0 || c.beta2 >= 1.0)
        throw std::invalid_argument("the AdamW betas must lie in [0, 1)");
}

// Two groups: matrices decay, vectors (biases, norm weights) do not.
std::unique_ptr<torch::optim::AdamW> makeOptimizer(CausalLM& model, const TrainConfig& c)
{
    std::vector<torch::Tensor> decay, noDecay;
    for (const torch::Tensor& p : model->parameters()) {
        if (p.requires_grad())
            (p.dim() >= 2 ? decay : noDecay).push_back(p);
    }
    const auto options = [&](double wd) {
        return std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(c.learningRate)
                                                                .betas({c.beta1, c.beta2})
                                                                .eps(c.adamEps)
                                                                .weight_decay(wd));
    };
    std::vector<torch::optim::OptimizerParamGroup> groups;
    if (!decay.empty())
        groups.emplace_back(decay, options(c.weightDecay));
    if (!noDecay.empty())
        groups.emplace_back(noDecay, options(0.0));
    return std::make_unique<torch::optim::AdamW>(groups, torch::optim::AdamWOptions(c.learningRate));
}

} // namespace

TrainReport fineTune(CausalLM& model, const std::vector<TrainExample>& examples, const TrainConfig& config,
                     const TrainProgressCallback& progress, const std::atomic<bool>* cancel)
{
    checkConfig(config);
    if (examples.empty())
        throw std::invalid_argument("fine-tuning needs at least one training example");
    const auto start = std::chrono::steady_clock::now();
    torch::manual_seed(config.seed);

    int64_t maxLength = config.maxLength;
    if (model->config().maxPositions > 0)
        maxLength = std::min(maxLength, model->config().maxPositions);
    TrainReport report;
    std::vector<TrainExample> fitted;
    fitted.reserve(examples.size());
    for (const TrainExample& e : examples) {
        bool cut = false;
        fitted.push_back(fitToLength(e, maxLength, &cut));
        report.truncated += cut ? 1 : 0;
    }

    report.totalSteps = plannedSteps(fitted.size(), config);
    const int warmup = warmupSteps(report.totalSteps, config.warmupRatio);
    const int lastStep = config.maxSteps > 0 ? std::min(config.maxSteps, report.totalSteps) : report.totalSteps;
    int micro = config.microBatch > 0 ? std::min(config.microBatch, config.effectiveBatch) : config.effectiveBatch;
    const auto batchSize = static_cast<size_t>(config.effectiveBatch);

    const bool wasTraining = model->is_training();
    const bool wasCheckpointing = model->gradientCheckpointing();
    model->train();
    model->setGradientCheckpointing(config.gradientCheckpointing);
    const MicroStepRunner runner = [&](CausalLM& m, const std::vector<const TrainExample*>& b, int size) {
        return accumulateStepGradients(m, b, size, config.autocastBf16);
    };
    auto optimizer = makeOptimizer(model, config);
    double secondsBefore = 0.0; // training time of the run before it was resumed
    const auto elapsed = [&] {
        return secondsBefore + std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    const std::string fingerprint = config.statePath.empty() ? std::string() : trainFingerprint(config, examples);
    if (!config.statePath.empty() && std::filesystem::exists(config.statePath)) {
        const TrainerCheckpoint saved = loadTrainerState(config.statePath, model, *optimizer, fingerprint);
        report.steps = report.resumedFromStep = saved.step;
        report.tokens = saved.tokens;
        report.losses = saved.losses;
        report.learningRates = saved.learningRates;
        report.gradNorms = saved.gradNorms;
        report.outOfMemoryRetries = saved.outOfMemoryRetries;
        micro = saved.microBatch > 0 ? saved.microBatch : micro;
        secondsBefore = saved.seconds;
    }
    const auto saveState = [&] {
        if (config.statePath.empty())
            return;
        TrainerCheckpoint state;
        state.fingerprint = fingerprint;
        state.step = report.steps;
        state.tokens = report.tokens;
        state.microBatch = micro;
        state.outOfMemoryRetries = report.outOfMemoryRetries;
        state.seconds = elapsed();
        state.losses = report.losses;
        state.learningRates = report.learningRates;
        state.gradNorms = report.gradNorms;
        saveTrainerState(config.statePath, model, *optimizer, state);
    };
    int stepIndex = 0; // optimizer steps walked over, including those a resumed run skips
    for (int epoch = 0; epoch < config.epochs && report.steps < lastStep && !report.cancelled; ++epoch) {
        const std::vector<size_t> order = epochOrder(fitted.size(), config.seed, epoch);
        for (size_t begin = 0; begin < order.size() && report.steps < lastStep; begin += batchSize) {
            if (stepIndex++ < report.resumedFromStep)
                continue;
            if (cancel && cancel->load()) {
                report.cancelled = true;
                saveState();
                break;
            }
            std::vector<const TrainExample*> batch;
            for (size_t i = begin; i < std::min(order.size(), begin + batchSize); ++i)
                batch.push_back(&fitted[order[i]]);

            const double lr = scheduledLearningRate(report.steps, report.totalSteps, warmup, config.learningRate);
            for (auto& group : optimizer->param_groups())
                static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
            optimizer->zero_grad();
            const StepGradients step = runStepWithBackoff(model, batch, &micro, &report.outOfMemoryRetries, runner);
            report.gradNorms.push_back(clipGradients(model, config.maxGradNorm));
            optimizer->step();

            ++report.steps;
            report.losses.push_back(step.loss);
            report.learningRates.push_back(lr);
            report.tokens += step.tokens;
            if (progress) {
                const double seconds = elapsed();
                TrainProgress p;
                p.step = report.steps;
                p.totalSteps = lastStep;
                p.epoch = epoch + 1;
                p.loss = step.loss;
                p.learningRate = lr;
                p.tokensPerSecond = seconds > 0.0 ? static_cast<double>(report.tokens) / seconds : 0.0;
                p.etaSeconds = seconds / report.steps * (lastStep - report.steps);
                progress(p);
            }
            if (config.saveStateEverySteps > 0 && report.steps % config.saveStateEverySteps == 0 && report.steps < lastStep)
                saveState();
        }
    }
    optimizer->zero_grad();
    model->train(wasTraining);
    model->setGradientCheckpointing(wasCheckpointing);
    report.finalMicroBatch = micro;
    report.seconds = elapsed();
    return report;
}

} // namespace ckptlab::engine
