#pragma once

// A checkpoint folder loaded once (model + its tokenizer), then fine-tuned, saved and evaluated
// any number of times, without touching torch types: for core/jobs and the CLI, which must
// not include torch.

#include "engine/eval/EvalTypes.h"
#include "engine/eval/TaskSpec.h"
#include "engine/train/Trainer.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace ckptlab::engine {

struct FineTuneOutcome {
    TrainReport report;
    size_t examples = 0;      // training examples used
    int64_t parameters = 0;
};

class LoadedCheckpoint {
public:
    // Loads checkpointDir (dtype "fp32"|"bf16"|"fp16", device "cpu"|"cuda:N") and the tokenizer
    // beside it or in its parent folder (tokenizer.json). Throws EngineError naming what is
    // missing or wrong.
    LoadedCheckpoint(const std::string& checkpointDir, const std::string& dtype, const std::string& device);
    ~LoadedCheckpoint();
    LoadedCheckpoint(const LoadedCheckpoint&) = delete;
    LoadedCheckpoint& operator=(const LoadedCheckpoint&) = delete;

    EvalResult evaluate(const TaskSpec& spec, const EvalRequest& request, const EvalProgressCallback& progress = {},
                        const std::atomic<bool>* cancel = nullptr);

    // Fine-tunes the loaded model in place on the train split of `spec`, rendered in `format`
    // (empty = the spec's default). trainLimit > 0 keeps the first N training examples.
    // Throws EngineError when the task has no training data.
    FineTuneOutcome fineTune(const TaskSpec& spec, const std::string& format, const TrainConfig& config,
                             const TrainProgressCallback& progress = {}, const std::atomic<bool>* cancel = nullptr,
                             int64_t trainLimit = 0);

    // Writes the model as a Hugging Face folder (model.safetensors, config.json) with the
    // tokenizer files beside it, so it reloads here and in transformers. Creates the folder.
    void save(const std::string& directory) const;

    // Where the tokenizer was found.
    const std::string& tokenizerPath() const;
    int64_t parameterCount() const;

private:
    struct State;
    std::unique_ptr<State> m_state;
};

// The tokenizer folder of a checkpoint: the folder itself, else its parent; empty when neither
// holds a tokenizer.json.
std::string findTokenizerFolder(const std::string& checkpointDir);

} // namespace ckptlab::engine
