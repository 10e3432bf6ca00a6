#pragma once

// Executing one queued run on one device, on the calling thread (an executor thread of
// RunQueue, or the CLI): load the checkpoint, fine-tune it (resuming from a saved training
// state when the run was interrupted), save the model into the project's run folder, run the
// evaluation suite on it, then write every result, its predictions and the run's final state
// in one transaction. Progress goes to a callback and, every second, to the run row.

#include "project/Project.h"
#include "project/RunStore.h"

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

struct RunOutcome {
    RowId runId = 0;
    QString title;
    RunState state = RunState::Failed; // Done, Failed or Cancelled
    QString error;
    int resultsWritten = 0;
    double seconds = 0.0;
    QVector<double> lossCurve;
};

// Where a project keeps its runs' files: "<folder>/<name>.runs" beside "<folder>/<name>.ckpt".
QString projectRunsFolder(const Project& project);

RunOutcome executeRun(const Project& project, const RunRecord& run, const QString& device,
                      const std::function<void(const RunProgress&)>& progress, RunControl& control);

} // namespace ckptlab

Q_DECLARE_METATYPE(ckptlab::RunProgress)
Q_DECLARE_METATYPE(ckptlab::RunOutcome)
