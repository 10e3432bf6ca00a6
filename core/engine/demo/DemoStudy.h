#pragma once

// The built-in demo study: everything ckptlab's pipeline needs, made on the spot from a seed in
// about a minute on two CPU cores, with no download. A synthetic world (engine/DemoCorpus.h)
// becomes pre-training text; a byte-level BPE tokenizer is learnt from it; a tiny GPT-NeoX is
// pre-trained on it and saved at log-spaced steps as Hugging Face checkpoint folders (a
// Pythia-style series "demo-neox"); four tasks with three prompt formats each are drawn from
// the same world (engine/DemoTasks.h). Fine-tuning and evaluating the checkpoints is the
// caller's part; `fineTune` in the layout is what suits this model.
//
//   root/checkpoints/demo-neox/tokenizer.json, tokenizer_config.json
//   root/checkpoints/demo-neox/step0/, step25/, ... step800/   config.json + model.safetensors
//   root/tasks/<task>.json, <task>_train.jsonl, <task>_eval.jsonl
//
// The same options give byte-identical files (on the same machine and thread count). The
// files are made in a hidden folder under root and moved into place at the end, replacing an
// earlier demo-neox series and the same task files; a failure or cancellation leaves root as
// it was. Standard library only.

#include "engine/train/Trainer.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ckptlab::engine {

struct DemoStudyOptions {
    uint64_t seed = 1234;
    int checkpoints = 7;        // saved steps, step 0 included; each later one doubles up to the last
    int pretrainSteps = 800;    // optimizer steps of pre-training (the last checkpoint)
    int batchSize = 16;         // sequences per pre-training step
    int sequenceLength = 64;    // tokens per pre-training sequence
    double learningRate = 1e-2; // pre-training peak (warm-up 5%, then linear decay to 0)
    int vocabSize = 768;        // tokenizer and model vocabulary, "<|endoftext|>" included
    int hiddenSize = 96;
    int layers = 3;
    int heads = 4;
    int trainExamples = 80;     // per task
    int evalExamples = 40;      // per task
};

struct DemoProgress {
    std::string phase;          // "corpus", "tokenizer", "pretraining", "tasks"
    int step = 0;               // done within the phase
    int totalSteps = 0;
    double loss = 0;            // pre-training: the last optimizer step's loss
    double etaSeconds = -1;     // of the phase; -1 when unknown
};

struct DemoStudyLayout {
    std::string root;                        // the folder given
    std::string seriesDir;                   // root/checkpoints/demo-neox (tokenizer.json here)
    std::vector<std::string> checkpointDirs; // seriesDir/step<N> for each saved step, ascending
    std::vector<int64_t> steps;
    std::vector<std::string> taskSpecs;      // root/tasks/<name>.json, absolute paths: sentiment,
                                             // antonyms, colours, compare (engine/DemoTasks.h)
    TrainConfig fineTune;                    // recommended fine-tuning settings for the demo
    std::vector<double> heldOutLoss;         // pre-training loss on held-out text, per checkpoint
    int64_t parameters = 0;
    int64_t vocabSize = 0;
};

// Thrown when the cancellation flag was seen set (before each phase and each pre-training
// step); nothing is left under root.
class DemoStudyCancelled : public std::runtime_error {
public:
    DemoStudyCancelled()
        : std::runtime_error("demo study cancelled")
    {
    }
};

// The steps at which the demo saves checkpoints: 0, then `checkpoints - 1` steps doubling up
// to pretrainSteps (800 and 7: 0, 25, 50, 100, 200, 400, 800); fewer when they would repeat.
std::vector<int64_t> demoCheckpointSteps(int pretrainSteps, int checkpoints);

// The fine-tuning settings that suit the demo's model and tasks (3 epochs, batch 8, lr 1e-3,
// warm-up 3%).
TrainConfig demoFineTuneConfig();

// Makes the demo study under root (created when missing). Progress is reported from the
// calling thread. Throws EngineError (a file that cannot be written), std::invalid_argument
// (bad options) or DemoStudyCancelled.
DemoStudyLayout writeDemoStudy(const std::string& root, const DemoStudyOptions& options,
                               const std::function<void(const DemoProgress&)>& progress = {},
                               const std::atomic<bool>* cancel = nullptr);

} // namespace ckptlab::engine
