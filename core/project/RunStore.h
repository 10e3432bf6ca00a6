#pragma once

// Typed reads and writes of the fine-tuning queue: planned runs (one row each, DESIGN.md's
// run table), their states, claiming the next one, progress, and saved plans.
//
// States: queued -> running -> done | failed | cancelled; a run found `running` whose owner
// process is gone is `interrupted`. failed, cancelled and interrupted runs can be queued again.

#include "common/Outcome.h"
#include "project/ProjectTypes.h"

#include <QSqlDatabase>
#include <QString>
#include <QVector>

#include <optional>

namespace ckptlab {

namespace runstate {
inline const QString queued = QStringLiteral("queued");
inline const QString running = QStringLiteral("running");
inline const QString done = QStringLiteral("done");
inline const QString failed = QStringLiteral("failed");
inline const QString cancelled = QStringLiteral("cancelled");
inline const QString interrupted = QStringLiteral("interrupted");
} // namespace runstate

struct RunRecord {
    RowId id = 0;
    QString kind;              // "finetune" | "evaluate"
    RowId modelId = 0;
    RowId planId = 0;
    QString title;             // "demo-neox step100 · sentiment (3 ep, 1e-3)"
    QString key;               // identity of the work (checkpoint, recipe, evaluation suite)
    QString spec;              // JSON: what to run (jobs/RunSpec.h)
    QString state;
    int queueOrder = 0;
    QString device;            // "" = any device
    double progress = 0.0;     // 0..1
    QString detail;            // the last progress line
    QString createdAt, startedAt, finishedAt;
    QString error;
    QVector<double> lossCurve; // per optimizer step
    QString stats;             // JSON: tokens, seconds, steps, parameters, ... of a finished run
    QString outputDir;
    QString owner;             // "host:pid" of the process running it

    bool canRetry() const;     // failed, cancelled or interrupted
};

struct NewRun {
    QString kind;
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
    Status finish(RowId id, const QString& state, const QString& error, const QString& statsJson,
                  const QVector<double>& lossCurve);

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
