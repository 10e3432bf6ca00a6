#pragma once

// The torch side of one optimizer step of the trainer (engine/Trainer.h), exposed for tests:
// fitting an example to the maximum length, the completion-only loss of a micro-batch, the
// gradients of a whole step accumulated over micro-batches, and global-norm clipping.

#include "engine/model/CausalLM.h"
#include "engine/train/Trainer.h"

#include <torch/torch.h>

#include <functional>
#include <vector>

namespace ckptlab::engine {

// prompt + completion cut to at most maxLength tokens: prompt tokens go first, from the left;
// then the completion's end. `truncated` tells whether anything was cut.
TrainExample fitToLength(const TrainExample& example, int64_t maxLength, bool* truncated = nullptr);

// Sum of the cross-entropy of every completion token of `batch` (already fitted), right-padded
// into one forward; tokens gets the number of loss tokens. Builds a graph. autocastBf16: the
// forward runs under bf16 autocast when the model is float32 on CUDA (elsewhere ignored).
torch::Tensor completionLossSum(CausalLM& model, const std::vector<const TrainExample*>& batch, int64_t* tokens,
                                bool autocastBf16 = false);

struct StepGradients {
    double loss = 0.0;     // mean cross-entropy over the step's completion tokens
    int64_t lossTokens = 0;
    int64_t tokens = 0;    // all non-padding tokens
};

// Adds to the parameters' .grad the gradient of the mean completion loss over all of `batch`,
// running it `microBatch` examples at a time (the same gradient for any micro-batch size).
StepGradients accumulateStepGradients(CausalLM& model, const std::vector<const TrainExample*>& batch,
                                      int microBatch, bool autocastBf16 = false);

using MicroStepRunner = std::function<StepGradients(CausalLM&, const std::vector<const TrainExample*>&, int)>;

// One optimizer step's gradients with out-of-memory back-off: when `run` (in the trainer,
// accumulateStepGradients) runs out of memory (isOutOfMemory, engine/BatchRunner.h), the
// gradients are zeroed, *microBatch is halved (the accumulation doubles; the step's gradient
// stays the same) and the whole step runs again; out of memory at a micro-batch of 1, or any
// other error, is rethrown. *retries counts the halvings.
StepGradients runStepWithBackoff(CausalLM& model, const std::vector<const TrainExample*>& batch, int* microBatch,
                                 int* retries, const MicroStepRunner& run);

// Global L2 norm of the gradients; scaled down to maxNorm when above it (maxNorm > 0).
// Returns the norm before clipping.
double clipGradients(CausalLM& model, double maxNorm);

} // namespace ckptlab::engine
