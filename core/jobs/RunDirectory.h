#pragma once

// A run as a self-contained folder, `<project>.runs/run-N/`, which is all a worker needs and
// all it writes (jobs/RunWorker.h); the project file is only touched by the collector
// (jobs/RunCollector.h). Every file is written whole or not at all (write, then rename).
//
//   spec.json            what to run: the RunSpec, the run's id and title, a format version
//   status.json          started | finished | failed | cancelled, error, timings, host, device,
//                        stats and the loss curve
//   results.json         every evaluation's metrics and per-example predictions (finished runs)
//   trainer_state.pt     the resumable training state (while a fine-tuning run is unfinished)
//   model/               the fine-tuned model (when the run keeps it)

#include "common/Outcome.h"
#include "jobs/RunSpec.h"
#include "project/ProjectTypes.h"
#include "project/RunTypes.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <QVector>

namespace ckptlab {

class Project;

constexpr int kRunSpecVersion = 1;

// <project folder>/<name>.runs
QString projectRunsFolder(const Project& project);
QString runDirectory(const Project& project, RowId runId);

struct RunDirectorySpec {
    RowId runId = 0;
    QString title;
    RunSpec spec;
};

Status writeRunSpec(const QString& runDir, const RunDirectorySpec& spec);
// The folder's spec.json, written when the run was queued; written from the run's row when it
// is missing.
Status ensureRunSpec(const QString& runDir, const RunRecord& run);
// Forgets what an earlier attempt of the run reported (status.json, results.json); the training
// state and model stay, so a fine-tuning resumes.
void clearRunOutputs(const QString& runDir);
// Refuses a missing or malformed file and one of another format version, naming the file.
Outcome<RunDirectorySpec> readRunSpec(const QString& runDir);

enum class WorkerState { Started, Finished, Failed, Cancelled };
QString toStorageText(WorkerState state);

struct RunStatus {
    WorkerState state = WorkerState::Started;
    QString error;
    QString host;
    QString device;
    QString startedAt, finishedAt;   // ISO 8601, UTC
    double seconds = 0.0;
    QJsonObject stats;               // parameters, train tokens, steps, results, ...
    QVector<double> lossCurve;
};

Status writeRunStatus(const QString& runDir, const RunStatus& status);
// nullopt-like failure when there is no status.json yet is reported as an error value too.
Outcome<RunStatus> readRunStatus(const QString& runDir);

// Atomic JSON file write (QSaveFile) with an error naming the file. Indented for the files a
// person reads (spec, status), compact for the large ones (results with every prediction).
Status writeJsonFile(const QString& path, const QJsonObject& json,
                     QJsonDocument::JsonFormat format = QJsonDocument::Indented);
Outcome<QJsonObject> readJsonFile(const QString& path);

} // namespace ckptlab
