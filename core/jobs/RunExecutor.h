#pragma once

// Executing one queued run on this machine, on the calling thread (an executor of RunQueue, or
// `ckptlab-cli run`): its run folder gets spec.json if it has none, the worker executes the
// folder (jobs/RunWorker.h) while progress goes to a callback and, every second, to the run
// row, then the collector imports the folder into the project in one transaction
// (jobs/RunCollector.h). A run on a cluster takes the same path, only with the worker in
// another process.

#include "jobs/RunWorker.h"
#include "project/Project.h"
#include "project/RunStore.h"

#include <QMetaType>
#include <QString>
#include <QVector>

namespace ckptlab {

struct RunOutcome {
    RowId runId = 0;
    QString title;
    RunState state = RunState::Failed; // Done, Failed or Cancelled
    QString error;
    int resultsWritten = 0;
    double seconds = 0.0;
    QVector<double> lossCurve;
};

RunOutcome executeRun(const Project& project, const RunRecord& run, const QString& device,
                      const std::function<void(const RunProgress&)>& progress, RunControl& control);

} // namespace ckptlab

Q_DECLARE_METATYPE(ckptlab::RunOutcome)
