#include "jobs/RunCollector.h"

#include "common/HumanUnits.h"
#include "jobs/EvalResultWriter.h"
#include "jobs/RunDirectory.h"
#include "project/ProjectWriter.h"
#include "project/RunStore.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

namespace ckptlab {

namespace {

RunState runStateOf(WorkerState state)
{
    switch (state) {
    case WorkerState::Started: return RunState::Running;
    case WorkerState::Finished: return RunState::Done;
    case WorkerState::Failed: return RunState::Failed;
    case WorkerState::Cancelled: return RunState::Cancelled;
    }
    return RunState::Failed;
}

QString compact(const QJsonObject& json)
{
    return QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Compact));
}

Outcome<QVector<EvaluationValues>> readResults(const QString& runDir)
{
    using Out = Outcome<QVector<EvaluationValues>>;
    const QString path = QDir(runDir).filePath(QStringLiteral("results.json"));
    const auto json = readJsonFile(path);
    if (!json)
        return Out::failure(json.error());
    QVector<EvaluationValues> out;
    const QJsonArray array = json->value("evaluations").toArray();
    for (int i = 0; i < array.size(); ++i) {
        auto e = EvaluationValues::fromJson(array[i].toObject(), QStringLiteral("%1: evaluations[%2]").arg(path).arg(i));
        if (!e)
            return Out::failure(e.error());
        out << e.value();
    }
    return out;
}

// Results, predictions and the run's final state: all of them, or none.
Status importFinished(const Project& project, RowId runId, const QString& runDir, RunStatus status, int* written)
{
    const auto spec = readRunSpec(runDir);
    if (!spec)
        return Status::failure(spec.error());
    const auto results = readResults(runDir);
    if (!results)
        return Status::failure(results.error());
    ProjectWriter writer(project.database());
    if (Status s = writer.begin(); !s)
        return s;
    const auto fail = [&](const QString& message) {
        writer.rollback();
        return Status::failure(message);
    };
    const RunSpec& run = spec->spec;
    const auto checkpointId = writer.checkpoint(run.checkpoint);
    if (!checkpointId)
        return fail(checkpointId.error());
    RowId recipeId = kBaseRecipe;
    QString modelRef = QStringLiteral("%1@%2").arg(run.checkpoint.series, run.checkpoint.label);
    if (run.fineTune) {
        const auto recipe = writer.recipe(run.fineTune->recipe());
        if (!recipe)
            return fail(recipe.error());
        recipeId = recipe.value();
        modelRef += QStringLiteral(" + ") + run.fineTune->recipe().label();
    }
    for (const EvaluationValues& e : results.value())
        if (Status s = writeEvaluation(writer, checkpointId.value(), recipeId, modelRef, e, written); !s)
            return fail(s.error());
    status.stats.insert(QStringLiteral("results"), *written);
    if (Status s = RunStore(project.database()).finish(runId, RunState::Done, QString(), compact(status.stats), status.lossCurve); !s)
        return fail(s.error());
    if (Status s = writer.commit(); !s)
        return fail(s.error());
    return success();
}

} // namespace

Outcome<CollectedRun> collectRun(const Project& project, RowId runId, const QString& runDir)
{
    using Out = Outcome<CollectedRun>;
    CollectedRun out;
    out.runId = runId;
    if (!QFileInfo::exists(QDir(runDir).filePath(QStringLiteral("status.json"))))
        return out;
    const auto status = readRunStatus(runDir);
    if (!status)
        return Out::failure(status.error());
    out.state = runStateOf(status->state);
    out.error = status->error;
    out.seconds = status->seconds;
    out.lossCurve = status->lossCurve;
    if (status->state == WorkerState::Started)
        return out;
    out.finishedByWorker = true;
    RunStore store(project.database());
    const auto row = store.run(runId);
    if (!row)
        return Out::failure(row.error());
    if (!row.value())
        return Out::failure(QStringLiteral("%1: run %2 is not in the project %3").arg(runDir).arg(runId).arg(project.path()));
    if (row.value()->state == out.state)
        return out; // collected before
    if (status->state == WorkerState::Finished) {
        int written = 0;
        if (Status s = importFinished(project, runId, runDir, status.value(), &written); !s) {
            out.state = RunState::Failed;
            out.error = QStringLiteral("collecting the results failed: %1").arg(s.error());
            store.finish(runId, RunState::Failed, out.error, compact(status->stats), status->lossCurve);
            out.changed = true;
            return out;
        }
        out.resultsWritten = written;
    } else if (Status s = store.finish(runId, out.state, out.error, compact(status->stats), status->lossCurve); !s) {
        return Out::failure(s.error());
    }
    // The row's last progress line said what the worker was doing; now it says how it ended.
    out.detail = out.state == RunState::Done
        ? QStringLiteral("done: %1 result(s) in %2").arg(out.resultsWritten).arg(humanDuration(out.seconds))
        : out.error;
    store.updateProgress(runId, out.state == RunState::Done ? 1.0 : row.value()->progress, out.detail, status->lossCurve);
    out.changed = true;
    return out;
}

Outcome<QVector<CollectedRun>> collectFinishedRuns(const Project& project)
{
    using Out = Outcome<QVector<CollectedRun>>;
    const auto runs = RunStore(project.database()).runs();
    if (!runs)
        return Out::failure(runs.error());
    QVector<CollectedRun> out;
    for (const RunRecord& run : runs.value()) {
        // Only runs a worker may have finished without being collected: a queued run's folder
        // can hold the status of an earlier attempt.
        if (run.state != RunState::Running && run.state != RunState::Interrupted)
            continue;
        const auto collected = collectRun(project, run.id, runDirectory(project, run.id));
        if (!collected)
            return Out::failure(collected.error());
        if (collected->finishedByWorker)
            out << collected.value();
    }
    return out;
}

} // namespace ckptlab
