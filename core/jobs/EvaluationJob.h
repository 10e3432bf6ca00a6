#pragma once

// Evaluating base checkpoints on a task, in several prompt formats and shot counts, and
// writing every result and prediction into the project. Runs on the calling thread (a job of
// ProjectSession, or the CLI). Each cell (format x shots) is evaluated by jobs/EvalCells.h,
// as the fine-tuning queue's evaluation suite is.

#include "common/Outcome.h"
#include "project/Project.h"
#include "project/ProjectTypes.h"

#include <QStringList>
#include <QVector>

#include <atomic>
#include <functional>

namespace ckptlab {

struct EvaluationPlan {
    QVector<CheckpointInfo> checkpoints;   // scanned checkpoints (with a path)
    QString taskSpecPath;                  // a task spec JSON (data paths relative to it)
    QStringList formats;                   // empty: the spec's default format
    QVector<int> shots{0};
    QString device = QStringLiteral("cpu");
    QString dtype = QStringLiteral("fp32");
    qint64 limit = 0;                      // first N eval items; 0 = all
    int batchSize = 0;                     // 0 = chosen by the engine
};

struct EvaluationProgress {
    QString checkpoint;                    // "pythia-160m 1000"
    QString format;
    int shots = 0;
    int evaluation = 0;                    // which of `evaluations` (0-based)
    int evaluations = 0;
    qint64 done = 0;                       // items of this evaluation
    qint64 total = 0;
    double itemsPerSecond = 0.0;
    double etaSeconds = -1.0;              // for the whole plan, -1 while unknown
};

struct EvaluationReport {
    int evaluationsDone = 0;
    int resultsWritten = 0;
    QStringList failures;                  // "checkpoint: why" for checkpoints that could not run
    bool cancelled = false;
    QString summary() const;
};

// Each (checkpoint, format, shots) evaluation is written in its own transaction as soon as it
// finishes, so a cancel or a crash keeps everything that finished. A task spec or data file
// that is wrong fails the whole plan before anything runs (file and line in the message).
Outcome<EvaluationReport> runEvaluation(const Project& project, const EvaluationPlan& plan,
                                        const std::function<void(const EvaluationProgress&)>& progress = {},
                                        const std::atomic<bool>* cancel = nullptr);

} // namespace ckptlab
