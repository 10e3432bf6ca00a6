#pragma once

// The built-in demo study: everything ckptlab does, on a machine without a GPU or downloads.
// Pre-trains a tiny GPT-NeoX on a generated corpus (engine/DemoStudy.h) saving checkpoints as
// Hugging Face folders beside the project, records them, and queues a plan that fine-tunes
// every checkpoint on every generated task and evaluates every model on every task in every
// prompt format. The caller then runs the queue (RunQueue in the GUI, `ckptlab-cli run`).

#include "common/Outcome.h"
#include "jobs/RunPlanner.h"
#include "project/Project.h"

#include <QString>

#include <atomic>
#include <functional>

namespace ckptlab {

struct DemoStudyProgress {
    QString phase;      // "corpus", "tokenizer", "pretraining", "tasks", "planning"
    QString detail;
    double fraction = 0.0;
};

struct DemoStudyPrepared {
    QString dataFolder;     // <project>.demo: checkpoints and tasks
    int checkpoints = 0;
    int tasks = 0;
    int queuedRuns = 0;
    PlanEstimate estimate;
};

Outcome<DemoStudyPrepared> prepareDemoStudy(const Project& project,
                                           const std::function<void(const DemoStudyProgress&)>& progress = {},
                                           const std::atomic<bool>* cancel = nullptr);

} // namespace ckptlab
