#pragma once

// The collector: imports a run folder (jobs/RunDirectory.h) that its worker has finished into
// the project, in one transaction: the checkpoint and recipe, every result and its predictions,
// and the run's final state with its stats and loss curve. A failed or cancelled folder sets
// the run's state and error. Collecting again changes nothing; a folder whose worker has not
// finished (status "started", or no status yet) is left alone.

#include "common/Outcome.h"
#include "project/Project.h"
#include "project/RunTypes.h"

#include <QString>
#include <QVector>

namespace ckptlab {

struct CollectedRun {
    RowId runId = 0;
    bool finishedByWorker = false; // status.json says finished, failed or cancelled
    bool changed = false;          // this call wrote something
    RunState state = RunState::Running;
    QString error;
    QString detail;                // the run row's last line: "done: 12 result(s) in 3 s" or the error
    int resultsWritten = 0;
    double seconds = 0.0;
    QVector<double> lossCurve;
};

Outcome<CollectedRun> collectRun(const Project& project, RowId runId, const QString& runDir);

// Every run of the project whose folder is finished and whose row is not yet in its final
// state; the runs collected (changed or not).
Outcome<QVector<CollectedRun>> collectFinishedRuns(const Project& project);

} // namespace ckptlab
