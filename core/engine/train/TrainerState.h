#pragma once

// The resumable state of a fine-tuning run (engine/Trainer.h): the model's parameters, the
// AdamW moments, the step reached and the per-step history, in one file written atomically
// (a partial file is renamed into place), so an interrupted run continues from its last
// saved step with the same data order and the same losses.

#include "engine/model/CausalLM.h"
#include "engine/train/Trainer.h"

#include <torch/torch.h>

#include <string>
#include <vector>

namespace ckptlab::engine {

struct TrainerCheckpoint {
    std::string fingerprint;       // the run this state belongs to (trainFingerprint)
    int step = 0;                  // optimizer steps done
    int64_t tokens = 0;
    int microBatch = 0;
    int outOfMemoryRetries = 0;
    double seconds = 0.0;          // training time before the interruption
    std::vector<double> losses, learningRates, gradNorms;
};

// Identifies a run: the settings that shape its data order and updates, and the examples.
std::string trainFingerprint(const TrainConfig& config, const std::vector<TrainExample>& examples);

void saveTrainerState(const std::string& file, CausalLM& model, torch::optim::Optimizer& optimizer,
                      const TrainerCheckpoint& state);

// Restores model parameters and optimizer state from `file`. Throws EngineError naming the
// file when it does not read, or when it belongs to another run (other settings or examples).
TrainerCheckpoint loadTrainerState(const std::string& file, CausalLM& model, torch::optim::Optimizer& optimizer,
                                   const std::string& expectedFingerprint);

} // namespace ckptlab::engine
