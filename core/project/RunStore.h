#pragma once

// Typed reads and writes of the fine-tuning queue: planned runs (one row each, the run table
// of docs/ARCHITECTURE.md), their states, claiming the next one, progress, and saved plans.
// States and kinds are stored as text (project/RunTypes.h) and read back as enums.

#include "common/Outcome.h"
#include "project/ProjectTypes.h"
#include "project/RunTypes.h"

#include <QSqlDatabase>
#include <QString>
#include <QVector>

#include <optional>

namespace ckptlab {

struct NewRun {
    RunKind kind = RunKind::FineTune;
    RowId modelId = 0;
    QString title;
    QString key;
    QString spec;
    QString device;
};

// "host:pid" of this process.
QString currentRunOwner();

class RunStore {
public:
    explicit RunStore(QSqlDatabase db);

    Outcome<QVector<RunRecord>> runs() const;                  // in queue order
    Outcome<std::optional<RunRecord>> run(RowId id) const;
    // Keys of runs that exist and are not failed/cancelled (planned again, they are skipped).
    Outcome<QSet<QString>> activeKeys() const;

    // Saves a plan and queues its runs after every queued run, in one transaction.
    Outcome<RowId> addPlan(const QString& name, const QString& specJson, const QVector<NewRun>& runs);

    // The first queued run for `device` (runs with no device go anywhere), marked running by
    // `owner`, in one immediate transaction so two processes never take the same run.
    Outcome<std::optional<RunRecord>> claimNext(const QString& device, const QString& owner);

    Status updateProgress(RowId id, double progress, const QString& detail, const QVector<double>& lossCurve);
    Status setOutputDir(RowId id, const QString& dir);
    // Final state with its error text (empty when done) and stats; inside the caller's
    // transaction when there is one.
    Status finish(RowId id, RunState state, const QString& error, const QString& statsJson,
                  const QVector<double>& lossCurve);

    // Queued runs handed to a cluster: running, owned by "slurm:JOB_TASK" (never judged by
    // markInterrupted), device "slurm". One transaction; fails (changing nothing) unless every
    // run is still queued.
    Status markSubmitted(const QVector<QPair<RowId, QString>>& owners);
    // A running run whose worker is gone without finishing, with the reason.
    Status markInterrupted(RowId id, const QString& reason);
    // Runs left `running` by a process that is gone become `interrupted`; returns how many.
    Outcome<int> markInterrupted();
    // failed / cancelled / interrupted -> queued (at the end of the queue).
    Status requeue(const QVector<RowId>& ids);
    // running -> queued at its place (a clean stop: the next executor resumes it).
    Status release(RowId id);
    // queued -> cancelled (a running run is cancelled by its executor).
    Status cancelQueued(const QVector<RowId>& ids);
    // Moves a queued run up (delta < 0) or down among the queued runs.
    Status move(RowId id, int delta);
    Status remove(const QVector<RowId>& ids);  // not running ones

    // Finished fine-tuning runs on `device`: (parameters x tokens / seconds) of the latest few,
    // the measured training speed the planner's time estimate uses. Empty when none.
    Outcome<QVector<double>> measuredParameterTokenRates(const QString& device, int latest = 5) const;

private:
    QSqlDatabase m_db;
};

} // namespace ckptlab
