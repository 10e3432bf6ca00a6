#pragma once

// What a fine-tuning run will cost, before it runs: the device memory at its peak and the
// tokens it trains on. Standard-library types only, for the planner in core/jobs.

#include "engine/eval/TaskSpec.h"

#include <cstdint>
#include <string>

namespace ckptlab::engine {

// Peak device memory of full fine-tuning with AdamW in fp32: weights, gradients, the two
// AdamW moments, and the activations autograd keeps for one micro-batch (per layer: the
// residual stream, attention inputs and scores, MLP activations; plus the logits and their
// log-softmax). An estimate, meant to be within a factor of ~1.5 of what torch allocates.
struct TrainFootprint {
    int64_t parameters = 0;
    int64_t weightBytes = 0;
    int64_t gradientBytes = 0;
    int64_t optimizerBytes = 0;
    int64_t activationBytes = 0;
    int64_t total() const { return weightBytes + gradientBytes + optimizerBytes + activationBytes; }
};

// From checkpointDir/config.json (throws EngineError naming it when it does not read).
// With gradient checkpointing, autograd keeps each layer's input and one layer's activations.
TrainFootprint estimateTrainingMemory(const std::string& checkpointDir, int microBatch, int64_t sequenceLength,
                                      bool gradientCheckpointing = false);

struct TrainDataSize {
    size_t examples = 0;
    int64_t tokens = 0;        // per epoch, after truncation to maxLength
    int64_t longest = 0;       // tokens of the longest example, after truncation
    int truncated = 0;         // examples longer than maxLength
};

// Tokenizes the train split of `spec` in `format` with the tokenizer in tokenizerFolder, as the
// trainer will see it. Throws EngineError when the task has no training data.
TrainDataSize measureTrainData(const TaskSpec& spec, const std::string& format, const std::string& tokenizerFolder,
                               int64_t maxLength, int64_t trainLimit = 0);

} // namespace ckptlab::engine
