#pragma once

// The worker: executes one run from its run folder alone (jobs/RunDirectory.h), on the calling
// thread, and never opens the project file. It loads the checkpoint, fine-tunes it (resuming
// from trainer_state.pt when a previous attempt was stopped), saves the model into the folder,
// evaluates the suite, and writes results.json and status.json, each whole or not at all.
// `ckptlab-cli worker RUN_DIR` runs it in its own process (a Slurm array task, say); the local
// queue runs it on an executor thread and then collects the folder (jobs/RunCollector.h).

#include "jobs/RunDirectory.h"
#include "project/RunTypes.h"

#include <QMetaType>
#include <QString>
#include <QVector>

#include <atomic>
#include <functional>

namespace ckptlab {

// Shared between the thread running a run and whoever steers it.
struct RunControl {
    std::atomic<bool> cancel{false}; // stop within one optimizer step or eval batch
    std::atomic<bool> paused{false}; // hold after the current step until resumed or cancelled
};

struct RunProgress {
    RowId runId = 0;
    QString title;
    QString device;
    RunPhase phase = RunPhase::Loading;
    double fraction = 0.0;     // of the whole run, 0..1
    int step = 0;
    int totalSteps = 0;
    int epoch = 0;
    double loss = -1.0;        // < 0 until the first step
    double learningRate = 0.0;
    double tokensPerSecond = 0.0;
    double etaSeconds = -1.0;  // for the run, -1 while unknown
    int evaluation = 0;        // 1-based while evaluating
    int evaluations = 0;
    bool paused = false;
    QString detail;            // one line a person reads
};

struct WorkerReport {
    WorkerState state = WorkerState::Failed; // Finished, Failed or Cancelled
    QString error;
    double seconds = 0.0;
    QVector<double> lossCurve;
};

WorkerReport runWorker(const QString& runDir, const QString& device,
                       const std::function<void(const RunProgress&)>& progress, RunControl& control);

} // namespace ckptlab

Q_DECLARE_METATYPE(ckptlab::RunProgress)
