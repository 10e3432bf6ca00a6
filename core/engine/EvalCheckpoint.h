#pragma once

// Evaluating a checkpoint folder without touching torch types: the model and its tokenizer
// are loaded once, then any number of (task, format, shots) evaluations run on them. For
// core/jobs and the CLI, which must not include torch.

#include "engine/EvalTypes.h"
#include "engine/TaskSpec.h"

#include <atomic>
#include <memory>
#include <string>

namespace ckptlab::engine {

class CheckpointEvaluator {
public:
    // Loads checkpointDir (dtype "fp32"|"bf16"|"fp16", device "cpu"|"cuda:N") and the tokenizer
    // beside it or in its parent folder (tokenizer.json). Throws EngineError naming what is
    // missing or wrong.
    CheckpointEvaluator(const std::string& checkpointDir, const std::string& dtype, const std::string& device);
    ~CheckpointEvaluator();
    CheckpointEvaluator(const CheckpointEvaluator&) = delete;
    CheckpointEvaluator& operator=(const CheckpointEvaluator&) = delete;

    EvalResult evaluate(const TaskSpec& spec, const EvalRequest& request, const EvalProgressCallback& progress = {},
                        const std::atomic<bool>* cancel = nullptr);

    // Where the tokenizer was found.
    const std::string& tokenizerPath() const;

private:
    struct State;
    std::unique_ptr<State> m_state;
};

// The tokenizer folder of a checkpoint: the folder itself, else its parent; empty when neither
// holds a tokenizer.json.
std::string findTokenizerFolder(const std::string& checkpointDir);

} // namespace ckptlab::engine
