#pragma once

// Pre-training the demo study's tiny GPT-NeoX from scratch (engine/DemoStudy.h): a config,
// seeded initialisation as in Hugging Face's GPTNeoXPreTrainedModel (normal(0, 0.02) matrices,
// zero biases, unit norm weights), causal-LM training on packed token sequences with the
// fine-tuning trainer (an example with no prompt is trained on all its tokens), and Pythia-style
// checkpoint folders step<N>/ (config.json + model.safetensors) saved at the given steps, step 0
// being the initial weights. Standard library only.

#include "engine/train/Trainer.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ckptlab::engine {

struct DemoModelShape {
    int64_t vocabSize = 0;
    int64_t endOfTextId = 0;  // bos, eos
    int hiddenSize = 96;
    int layers = 3;
    int heads = 4;
    int maxPositions = 256;
};

// A gpt_neox config.json (Pythia's choices: parallel residual, rotary on a quarter of each
// head, untied output head, gelu, MLP 4x wide).
std::string demoNeoXConfigJson(const DemoModelShape& shape);

struct DemoPretrainSettings {
    int steps = 800;
    int batchSize = 16;        // sequences per optimizer step
    int sequenceLength = 64;
    double learningRate = 1e-2;
    double warmupRatio = 0.05;
    double weightDecay = 0.01;
    uint64_t seed = 1234;
    std::vector<int> saveSteps; // ascending, within [0, steps]
};

struct DemoPretrainResult {
    std::vector<std::string> checkpointDirs; // one per save step
    std::vector<double> heldOutLoss;         // mean next-token loss on held-out text at each save step
    int64_t parameters = 0;
    bool cancelled = false;
};

// Trains on `tokens` (the corpus, documents joined by end-of-text) cut into sequences of
// sequenceLength, steps x batchSize of them (the stream wraps around, shifted by half a
// sequence, when it is too short), and saves seriesDir/step<N> at every save step.
// heldOutTokens (at least one sequence) measures the loss. Throws EngineError when a folder
// cannot be written, std::invalid_argument for bad settings.
DemoPretrainResult pretrainDemoModel(const std::string& configJson, const std::vector<int64_t>& tokens,
                                     const std::vector<int64_t>& heldOutTokens, const DemoPretrainSettings& settings,
                                     const std::string& seriesDir, const TrainProgressCallback& progress = {},
                                     const std::atomic<bool>* cancel = nullptr);

} // namespace ckptlab::engine
