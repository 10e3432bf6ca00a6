#pragma once

// Runs on a Slurm cluster. Every queued run of a project is submitted as ONE job array whose
// task i runs `ckptlab-cli worker` on the i-th run folder (jobs/RunWorker.h); the nodes see the
// project folder through the shared filesystem. The run folders' status.json files are the
// truth; squeue says pending/running and why; sacct, where the cluster keeps accounting, says
// why a task ended (TIMEOUT, OUT_OF_MEMORY, NODE_FAIL, PREEMPTED, CANCELLED). A task that left
// squeue without a finished status.json is interrupted, with a message saying so.
//
// Submitted runs are `running`, owned by "slurm:JOB_TASK" on device "slurm"; the batch script
// and the list of run folders are kept in <project>.runs/slurm/ for the user to read.

#include "common/Outcome.h"
#include "project/Project.h"
#include "project/RunTypes.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QVector>

namespace ckptlab {

struct SlurmSettings {
    QString partition;
    QString account;
    QString qos;
    QString time;               // HH:MM:SS; empty = the partition's default
    int gpusPerRun = 0;
    int cpusPerRun = 0;         // 0 = Slurm's default
    QString mem;                // e.g. 16G; empty = Slurm's default
    int maxParallel = 0;        // %K of --array; 0 = no limit
    QString setup;              // shell lines before the worker (module load ..., source venv)
    QStringList sbatchArgs;     // passed to sbatch as they are
    QString cli;                // ckptlab-cli on the nodes; empty = this program's own path

    QJsonObject toJson() const;
    static SlurmSettings fromJson(const QJsonObject& json);
};

// Settings persist per project, in <project>.runs/slurm/settings.json.
Outcome<SlurmSettings> loadSlurmSettings(const Project& project);
Status saveSlurmSettings(const Project& project, const SlurmSettings& settings);

struct SlurmSubmission {
    QString jobId;
    QVector<RowId> runs;        // array task i runs runs[i]
    QString script;             // the batch script's path
};

// Submits every queued run as one job array. sbatch missing or failing: its message (stderr
// included), and nothing is marked submitted.
Outcome<SlurmSubmission> submitQueuedRuns(const Project& project, const SlurmSettings& settings);

struct SlurmTrackReport {
    int collected = 0;          // runs imported now (done, failed or cancelled)
    int interrupted = 0;        // tasks gone without a finished status
    int active = 0;             // still pending or running on the cluster
    QStringList messages;       // one line per run whose state changed
};

// Collects finished folders, asks squeue about the rest (updating each run's detail line), and
// marks tasks that left the queue unfinished as interrupted (with sacct's reason when it has one).
Outcome<SlurmTrackReport> trackSlurmRuns(const Project& project);

// scancel of one run's array task (its worker stops within a step and saves its state).
Status cancelSlurmRun(const Project& project, RowId runId);

bool isSlurmOwner(const QString& owner);
// The array task ("1234_3") of a run on Slurm now; empty for any other run.
QString slurmTaskOf(const RunRecord& run);
// Slurm holds the run back (pending), as the last tracking found.
bool isPendingOnSlurm(const RunRecord& run);

// Cancels a run wherever it waits or runs outside this process: a queued run is marked
// cancelled, a run on Slurm gets scancel (cancelSlurmRun). A run executing in this process is
// stopped by its RunControl instead.
Status cancelQueuedOrClusterRun(const Project& project, RowId runId);

} // namespace ckptlab
