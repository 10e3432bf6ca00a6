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

namespace {

// One fine-tuning run in named steps: fit the examples to the length, resume a saved state,
// walk the epochs' batches (one optimizer step each), save the state when asked.
class FineTuneRun {
public:
    FineTuneRun(CausalLM& model, const TrainConfig& config, const TrainProgressCallback& progress,
                const std::atomic<bool>* cancel)
        : m_model(model), m_config(config), m_progress(progress), m_cancel(cancel),
          m_start(std::chrono::steady_clock::now()),
          m_wasTraining(model->is_training()), m_wasCheckpointing(model->gradientCheckpointing())
    {
    }

    TrainReport run(const std::vector<TrainExample>& examples)
    {
        torch::manual_seed(m_config.seed);
        fitExamples(examples);
        m_report.totalSteps = plannedSteps(m_fitted.size(), m_config);
        m_warmup = warmupSteps(m_report.totalSteps, m_config.warmupRatio);
        m_lastStep = m_config.maxSteps > 0 ? std::min(m_config.maxSteps, m_report.totalSteps) : m_report.totalSteps;
        m_micro = m_config.microBatch > 0 ? std::min(m_config.microBatch, m_config.effectiveBatch) : m_config.effectiveBatch;
        m_model->train();
        m_model->setGradientCheckpointing(m_config.gradientCheckpointing);
        m_optimizer = makeOptimizer(m_model, m_config);
        m_fingerprint = m_config.statePath.empty() ? std::string() : trainFingerprint(m_config, examples);
        resumeIfSaved();
        trainEpochs();
        m_optimizer->zero_grad();
        m_model->train(m_wasTraining);
        m_model->setGradientCheckpointing(m_wasCheckpointing);
        m_report.finalMicroBatch = m_micro;
        m_report.seconds = elapsed();
        return m_report;
    }

private:
    double elapsed() const
    {
        return m_secondsBefore + std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    }

    void fitExamples(const std::vector<TrainExample>& examples)
    {
        int64_t maxLength = m_config.maxLength;
        if (m_model->config().maxPositions > 0)
            maxLength = std::min(maxLength, m_model->config().maxPositions);
        m_fitted.reserve(examples.size());
        for (const TrainExample& e : examples) {
            bool cut = false;
            m_fitted.push_back(fitToLength(e, maxLength, &cut));
            m_report.truncated += cut ? 1 : 0;
        }
    }

    void resumeIfSaved()
    {
        if (m_config.statePath.empty() || !std::filesystem::exists(m_config.statePath))
            return;
        const TrainerCheckpoint saved = loadTrainerState(m_config.statePath, m_model, *m_optimizer, m_fingerprint);
        m_report.steps = m_report.resumedFromStep = saved.step;
        m_report.tokens = saved.tokens;
        m_report.losses = saved.losses;
        m_report.learningRates = saved.learningRates;
        m_report.gradNorms = saved.gradNorms;
        m_report.outOfMemoryRetries = saved.outOfMemoryRetries;
        m_micro = saved.microBatch > 0 ? saved.microBatch : m_micro;
        m_secondsBefore = saved.seconds;
    }

    void saveState()
    {
        if (m_config.statePath.empty())
            return;
        TrainerCheckpoint state;
        state.fingerprint = m_fingerprint;
        state.step = m_report.steps;
        state.tokens = m_report.tokens;
        state.microBatch = m_micro;
        state.outOfMemoryRetries = m_report.outOfMemoryRetries;
        state.seconds = elapsed();
        state.losses = m_report.losses;
        state.learningRates = m_report.learningRates;
        state.gradNorms = m_report.gradNorms;
        saveTrainerState(m_config.statePath, m_model, *m_optimizer, state);
    }

    void trainEpochs()
    {
        const auto batchSize = static_cast<size_t>(m_config.effectiveBatch);
        int stepIndex = 0; // optimizer steps walked over, including those a resumed run skips
        for (int epoch = 0; epoch < m_config.epochs && m_report.steps < m_lastStep && !m_report.cancelled; ++epoch) {
            const std::vector<size_t> order = epochOrder(m_fitted.size(), m_config.seed, epoch);
            for (size_t begin = 0; begin < order.size() && m_report.steps < m_lastStep; begin += batchSize) {
                if (stepIndex++ < m_report.resumedFromStep)
                    continue;
                if (m_cancel && m_cancel->load()) {
                    m_report.cancelled = true;
                    saveState();
                    break;
                }
                std::vector<const TrainExample*> batch;
                for (size_t i = begin; i < std::min(order.size(), begin + batchSize); ++i)
                    batch.push_back(&m_fitted[order[i]]);
                optimizerStep(batch, epoch);
                if (m_config.saveStateEverySteps > 0 && m_report.steps % m_config.saveStateEverySteps == 0 &&
                    m_report.steps < m_lastStep)
                    saveState();
            }
        }
    }

    void optimizerStep(const std::vector<const TrainExample*>& batch, int epoch)
    {
        const double lr = scheduledLearningRate(m_report.steps, m_report.totalSteps, m_warmup, m_config.learningRate);
        for (auto& group : m_optimizer->param_groups())
            static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
        m_optimizer->zero_grad();
        const bool bf16 = m_config.autocastBf16;
        const MicroStepRunner runner = [bf16](CausalLM& m, const std::vector<const TrainExample*>& b, int size) {
            return accumulateStepGradients(m, b, size, bf16);
        };
        const StepGradients step = runStepWithBackoff(m_model, batch, &m_micro, &m_report.outOfMemoryRetries, runner);
        m_report.gradNorms.push_back(clipGradients(m_model, m_config.maxGradNorm));
        m_optimizer->step();
        ++m_report.steps;
        m_report.losses.push_back(step.loss);
        m_report.learningRates.push_back(lr);
        m_report.tokens += step.tokens;
        reportProgress(epoch, step.loss, lr);
    }

    void reportProgress(int epoch, double loss, double lr)
    {
        if (!m_progress)
            return;
        const double seconds = elapsed();
        TrainProgress p;
        p.step = m_report.steps;
        p.totalSteps = m_lastStep;
        p.epoch = epoch + 1;
        p.loss = loss;
        p.learningRate = lr;
        p.tokensPerSecond = seconds > 0.0 ? static_cast<double>(m_report.tokens) / seconds : 0.0;
        p.etaSeconds = seconds / m_report.steps * (m_lastStep - m_report.steps);
        m_progress(p);
    }

    CausalLM& m_model;
    const TrainConfig& m_config;
    const TrainProgressCallback& m_progress;
    const std::atomic<bool>* m_cancel;
    const std::chrono::steady_clock::time_point m_start;
    const bool m_wasTraining;
    const bool m_wasCheckpointing;
    TrainReport m_report;
    std::vector<TrainExample> m_fitted;
    int m_warmup = 0;
    int m_lastStep = 0;
    int m_micro = 1;
    std::unique_ptr<torch::optim::AdamW> m_optimizer;
    std::string m_fingerprint;
    double m_secondsBefore = 0.0; // training time of the run before it was resumed
};

} // namespace

TrainReport fineTune(CausalLM& model, const std::vector<TrainExample>& examples, const TrainConfig& config,
                     const TrainProgressCallback& progress, const std::atomic<bool>* cancel)
{
    checkConfig(config);
    if (examples.empty())
        throw std::invalid_argument("fine-tuning needs at least one training example");
    return FineTuneRun(model, config, progress, cancel).run(examples);
}

} // namespace ckptlab::engine
