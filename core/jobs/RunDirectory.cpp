#include "jobs/RunDirectory.h"

#include "project/Project.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

namespace ckptlab {

namespace {

const char* const kSpecFormat = "ckptlab-run";

QString specPath(const QString& runDir)
{
    return QDir(runDir).filePath(QStringLiteral("spec.json"));
}

QString statusPath(const QString& runDir)
{
    return QDir(runDir).filePath(QStringLiteral("status.json"));
}

std::optional<WorkerState> workerStateFromText(const QString& text)
{
    for (WorkerState s : {WorkerState::Started, WorkerState::Finished, WorkerState::Failed, WorkerState::Cancelled})
        if (toStorageText(s) == text)
            return s;
    return std::nullopt;
}

} // namespace

QString projectRunsFolder(const Project& project)
{
    const QFileInfo file(project.path());
    return file.absoluteDir().filePath(file.completeBaseName() + QStringLiteral(".runs"));
}

QString runDirectory(const Project& project, RowId runId)
{
    return QDir(projectRunsFolder(project)).filePath(QStringLiteral("run-%1").arg(runId));
}

Status writeJsonFile(const QString& path, const QJsonObject& json, QJsonDocument::JsonFormat format)
{
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return Status::failure(QStringLiteral("%1: cannot create its folder").arg(path));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Status::failure(QStringLiteral("%1: cannot write: %2").arg(path, file.errorString()));
    file.write(QJsonDocument(json).toJson(format));
    if (!file.commit())
        return Status::failure(QStringLiteral("%1: cannot write: %2").arg(path, file.errorString()));
    return success();
}

Outcome<QJsonObject> readJsonFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Outcome<QJsonObject>::failure(QStringLiteral("%1: cannot read: %2").arg(path, file.errorString()));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError)
        return Outcome<QJsonObject>::failure(
            QStringLiteral("%1: offset %2: %3").arg(path).arg(error.offset).arg(error.errorString()));
    if (!doc.isObject())
        return Outcome<QJsonObject>::failure(QStringLiteral("%1: expected a JSON object").arg(path));
    return doc.object();
}

Status writeRunSpec(const QString& runDir, const RunDirectorySpec& spec)
{
    return writeJsonFile(specPath(runDir), QJsonObject{{"format", kSpecFormat},
                                                       {"version", kRunSpecVersion},
                                                       {"run_id", double(spec.runId)},
                                                       {"title", spec.title},
                                                       {"spec", spec.spec.toJson()}});
}

Outcome<RunDirectorySpec> readRunSpec(const QString& runDir)
{
    using Out = Outcome<RunDirectorySpec>;
    const QString path = specPath(runDir);
    const auto json = readJsonFile(path);
    if (!json)
        return Out::failure(json.error());
    if (json->value("format").toString() != QLatin1String(kSpecFormat))
        return Out::failure(QStringLiteral("%1: format: expected \"%2\", found \"%3\"")
                                .arg(path, QLatin1String(kSpecFormat), json->value("format").toString()));
    const int version = json->value("version").toInt(-1);
    if (version != kRunSpecVersion)
        return Out::failure(QStringLiteral("%1: version %2: this ckptlab reads run specs of version %3 only "
                                           "(written by another ckptlab version?)")
                                .arg(path)
                                .arg(json->value("version").toVariant().toString())
                                .arg(kRunSpecVersion));
    const auto spec = RunSpec::fromJson(json->value("spec").toObject(), path);
    if (!spec)
        return Out::failure(spec.error());
    RunDirectorySpec out;
    out.runId = RowId(json->value("run_id").toDouble());
    out.title = json->value("title").toString();
    out.spec = spec.value();
    return out;
}

Status ensureRunSpec(const QString& runDir, const RunRecord& run)
{
    if (QFileInfo::exists(specPath(runDir)))
        return success();
    const auto spec = RunSpec::fromJson(QJsonDocument::fromJson(run.spec.toUtf8()).object(), QStringLiteral("run %1").arg(run.id));
    if (!spec)
        return Status::failure(spec.error());
    return writeRunSpec(runDir, RunDirectorySpec{run.id, run.title, spec.value()});
}

void clearRunOutputs(const QString& runDir)
{
    QFile::remove(statusPath(runDir));
    QFile::remove(QDir(runDir).filePath(QStringLiteral("results.json")));
}

QString toStorageText(WorkerState state)
{
    switch (state) {
    case WorkerState::Started: return QStringLiteral("started");
    case WorkerState::Finished: return QStringLiteral("finished");
    case WorkerState::Failed: return QStringLiteral("failed");
    case WorkerState::Cancelled: return QStringLiteral("cancelled");
    }
    return {};
}

Status writeRunStatus(const QString& runDir, const RunStatus& status)
{
    QJsonArray curve;
    for (double v : status.lossCurve)
        curve.append(v);
    return writeJsonFile(statusPath(runDir), QJsonObject{{"state", toStorageText(status.state)},
                                                         {"error", status.error},
                                                         {"host", status.host},
                                                         {"device", status.device},
                                                         {"started_at", status.startedAt},
                                                         {"finished_at", status.finishedAt},
                                                         {"seconds", status.seconds},
                                                         {"stats", status.stats},
                                                         {"loss_curve", curve}});
}

Outcome<RunStatus> readRunStatus(const QString& runDir)
{
    const QString path = statusPath(runDir);
    const auto json = readJsonFile(path);
    if (!json)
        return Outcome<RunStatus>::failure(json.error());
    const auto state = workerStateFromText(json->value("state").toString());
    if (!state)
        return Outcome<RunStatus>::failure(
            QStringLiteral("%1: state: unknown value \"%2\"").arg(path, json->value("state").toString()));
    RunStatus s;
    s.state = *state;
    s.error = json->value("error").toString();
    s.host = json->value("host").toString();
    s.device = json->value("device").toString();
    s.startedAt = json->value("started_at").toString();
    s.finishedAt = json->value("finished_at").toString();
    s.seconds = json->value("seconds").toDouble();
    s.stats = json->value("stats").toObject();
    for (const QJsonValue& v : json->value("loss_curve").toArray())
        s.lossCurve << v.toDouble();
    return s;
}

} // namespace ckptlab
