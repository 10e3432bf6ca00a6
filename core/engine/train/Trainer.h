#pragma once

// Full fine-tuning of a CausalLM on a task's training split, as in the study: every example is
// its prompt (in one format, the spec's default unless named) followed by its completion (the
// answer text, EOS appended), and the loss is the mean cross-entropy over the completion tokens
// of an optimizer step only (prompt and padding tokens contribute nothing).
//
// - AdamW (betas, eps, weight decay on matrices only; biases and norm weights never decay);
// - a linear schedule: the learning rate climbs from 0 over ceil(warmupRatio x steps) steps,
//   then falls linearly to 0 at the last step (Hugging Face's get_linear_schedule_with_warmup);
// - gradient clipping to a global norm; gradient accumulation: an optimizer step covers
//   `effectiveBatch` examples, run `microBatch` at a time, with the same gradient as one batch;
// - sequences longer than maxLength (or the model's positions) lose prompt tokens on the left
//   (the completion, when alone too long, its end); such examples are counted in the report;
// - epochs, each in an order shuffled from the seed (same seed, same order, same losses on CPU);
// - out of memory in a step: the micro-batch is halved (accumulation doubled) and the same step
//   runs again, from then on with the smaller micro-batch; reported;
// - the cancellation flag is read before every optimizer step; progress after every step;
// - optionally resumable: the state is saved on cancel / every N steps and picked up again.
//
// Plain standard-library types (the model is only forward-declared), like engine/Evaluator.h.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ckptlab::engine {

class CausalLM;
class TextCodec;
struct LoadedTask;

struct TrainConfig {
    int epochs = 3;
    double learningRate = 2e-6;
    int effectiveBatch = 8;     // examples per optimizer step
    int microBatch = 0;         // examples per forward; 0 = effectiveBatch (no accumulation)
    double warmupRatio = 0.03;
    double weightDecay = 0.0;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double adamEps = 1e-8;
    double maxGradNorm = 1.0;   // <= 0: no clipping
    int64_t maxLength = 2048;   // tokens per sequence (prompt + completion + EOS)
    uint64_t seed = 42;
    bool autocastBf16 = false;  // CUDA, float32 model: forward under bf16 autocast (the study's
                                // bf16 training); ignored on CPU. NOT yet verified on a GPU.
    bool gradientCheckpointing = false; // recompute each layer in backward: less memory, more time
    int maxSteps = 0;           // > 0: stop after this many optimizer steps (the schedule still
                                // spans all epochs)
    // Resumable runs: when statePath names a file, training continues from the state saved
    // there (weights, AdamW moments, step, history; it must be the same run: same settings and
    // examples, else EngineError). The state is written there when cancelled and every
    // saveStateEverySteps steps (0 = only when cancelled). Empty: nothing is saved or resumed.
    std::string statePath;
    int saveStateEverySteps = 0;
};

struct TrainExample {
    std::vector<int64_t> prompt;
    std::vector<int64_t> completion; // the loss tokens, EOS included
};

struct TrainProgress {
    int step = 0;               // optimizer steps done
    int totalSteps = 0;         // of this run (maxSteps when smaller)
    int epoch = 0;              // 1-based
    double loss = 0.0;          // of this step
    double learningRate = 0.0;  // used by this step
    double tokensPerSecond = 0.0;
    double etaSeconds = 0.0;
};
using TrainProgressCallback = std::function<void(const TrainProgress&)>;

struct TrainReport {
    int steps = 0;                 // optimizer steps done
    int totalSteps = 0;            // planned
    std::vector<double> losses;    // per optimizer step
    std::vector<double> learningRates; // per optimizer step
    std::vector<double> gradNorms; // per optimizer step, before clipping
    int truncated = 0;             // examples cut to fit
    int64_t tokens = 0;            // tokens processed (padding excluded)
    double seconds = 0.0;
    bool cancelled = false;
    int outOfMemoryRetries = 0;    // micro-batch halvings (each step after one runs with the smaller size)
    int finalMicroBatch = 0;
    int resumedFromStep = 0;       // > 0: the run continued from a saved state at this step
};

// Prompt + completion token ids of every training example of `task` (loaded with its train
// split), rendered in `format` (empty = the spec's default). EOS (when the codec has one) is
// appended to every completion. Throws EngineError when the task has no training data.
std::vector<TrainExample> buildTrainExamples(const LoadedTask& task, const TextCodec& codec,
                                             const std::string& format = {});

// Optimizer steps of a run over `examples` examples.
int plannedSteps(size_t examples, const TrainConfig& config);
int warmupSteps(int totalSteps, double warmupRatio); // ceil(ratio x total)
// The learning rate of the optimizer step that follows `step` steps done.
double scheduledLearningRate(int step, int totalSteps, int warmup, double peak);

// The data order of every epoch: a permutation of [0, n) from (seed, epoch).
std::vector<size_t> epochOrder(size_t n, uint64_t seed, int epoch);

// Trains `model` in place (and seeds torch's global generator with config.seed); leaves it in
// the train/eval mode it had. Throws std::invalid_argument for a bad configuration or no examples.
TrainReport fineTune(CausalLM& model, const std::vector<TrainExample>& examples, const TrainConfig& config,
                     const TrainProgressCallback& progress = {}, const std::atomic<bool>* cancel = nullptr);

} // namespace ckptlab::engine
