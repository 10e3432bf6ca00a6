#include "jobs/SlurmCluster.h"

#include "jobs/RunCollector.h"
#include "jobs/RunDirectory.h"
#include "project/RunStore.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QSaveFile>
#include <QSet>

namespace ckptlab {

namespace {

const QLatin1String kOwnerPrefix("slurm:");

struct CommandResult {
    bool started = false;
    int exitCode = -1;
    QString out;
    QString err;
};

CommandResult runCommand(const QString& program, const QStringList& arguments, int timeoutMs = 60000)
{
    CommandResult r;
    QProcess process;
    process.start(program, arguments);
    if (!process.waitForStarted(10000)) {
        r.err = process.errorString();
        return r;
    }
    r.started = true;
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(5000);
        r.err = QStringLiteral("%1 did not answer within %2 s").arg(program).arg(timeoutMs / 1000);
        return r;
    }
    r.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    r.out = QString::fromUtf8(process.readAllStandardOutput());
    r.err = QString::fromUtf8(process.readAllStandardError()).trimmed();
    return r;
}

QString slurmFolder(const Project& project)
{
    return QDir(projectRunsFolder(project)).filePath(QStringLiteral("slurm"));
}

QString taskOf(const QString& owner)
{
    return owner.mid(kOwnerPrefix.size());
}

// The run row's detail line while the task is on the cluster: "Slurm 1234_3: PENDING (Priority)".
QString queueDetail(const QString& task, const QString& state, const QString& reason)
{
    const bool noReason = reason.isEmpty() || reason == QLatin1String("None");
    return QStringLiteral("Slurm %1: %2%3").arg(task, state, noReason ? QString() : QStringLiteral(" (%1)").arg(reason));
}

QString shellQuote(const QString& s)
{
    QString q = s;
    q.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + q + QLatin1Char('\'');
}

Status writeText(const QString& path, const QString& text, bool executable = false)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Status::failure(QStringLiteral("%1: cannot write: %2").arg(path, file.errorString()));
    file.write(text.toUtf8());
    if (!file.commit())
        return Status::failure(QStringLiteral("%1: cannot write: %2").arg(path, file.errorString()));
    if (executable)
        QFile::setPermissions(path, QFile::permissions(path) | QFileDevice::ExeOwner | QFileDevice::ExeUser);
    return success();
}

QString batchScript(const Project& project, const SlurmSettings& s, int tasks, const QString& listPath)
{
    const QString cli = s.cli.isEmpty() ? QCoreApplication::applicationFilePath() : s.cli;
    QStringList lines{QStringLiteral("#!/bin/bash"),
                      QStringLiteral("# ckptlab: one array task per queued run of %1").arg(project.path()),
                      QStringLiteral("#SBATCH --job-name=ckptlab-%1").arg(QFileInfo(project.path()).completeBaseName()),
                      QStringLiteral("#SBATCH --array=0-%1%2").arg(tasks - 1).arg(s.maxParallel > 0 ? QStringLiteral("%%1").arg(s.maxParallel) : QString()),
                      QStringLiteral("#SBATCH --output=%1/slurm-%A_%a.out").arg(slurmFolder(project))};
    if (!s.partition.isEmpty())
        lines << QStringLiteral("#SBATCH --partition=%1").arg(s.partition);
    if (!s.account.isEmpty())
        lines << QStringLiteral("#SBATCH --account=%1").arg(s.account);
    if (!s.qos.isEmpty())
        lines << QStringLiteral("#SBATCH --qos=%1").arg(s.qos);
    if (!s.time.isEmpty())
        lines << QStringLiteral("#SBATCH --time=%1").arg(s.time);
    if (s.cpusPerRun > 0)
        lines << QStringLiteral("#SBATCH --cpus-per-task=%1").arg(s.cpusPerRun);
    if (s.gpusPerRun > 0)
        lines << QStringLiteral("#SBATCH --gres=gpu:%1").arg(s.gpusPerRun);
    if (!s.mem.isEmpty())
        lines << QStringLiteral("#SBATCH --mem=%1").arg(s.mem);
    lines << QString() << QStringLiteral("set -euo pipefail");
    if (!s.setup.isEmpty())
        lines << s.setup;
    lines << QStringLiteral("export CKPTLAB_THREADS=${SLURM_CPUS_PER_TASK:-${CKPTLAB_THREADS:-1}}")
          << QStringLiteral("run_dir=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" %1)").arg(shellQuote(listPath))
          << QStringLiteral("# The worker saves its training state on SIGTERM (scancel, time limit, preemption).")
          << QStringLiteral("exec %1 worker \"$run_dir\"").arg(shellQuote(cli));
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

struct QueueListing {
    QHash<QString, QPair<QString, QString>> tasks; // "1234_0" -> (state, reason)
};

Outcome<QueueListing> listQueue(const QSet<QString>& jobIds)
{
    QueueListing out;
    if (jobIds.isEmpty())
        return out;
    const CommandResult r = runCommand(QStringLiteral("squeue"),
                                       {QStringLiteral("-h"), QStringLiteral("-r"), QStringLiteral("-o"), QStringLiteral("%i|%T|%r"),
                                        QStringLiteral("-j"), QStringList(jobIds.begin(), jobIds.end()).join(QLatin1Char(','))});
    if (!r.started)
        return Outcome<QueueListing>::failure(QStringLiteral("squeue: cannot run it: %1").arg(r.err));
    // A job id the controller has forgotten is "Invalid job id": nothing of it is queued.
    if (r.exitCode != 0 && !r.err.contains(QLatin1String("Invalid job id")))
        return Outcome<QueueListing>::failure(QStringLiteral("squeue failed (exit %1): %2").arg(r.exitCode).arg(r.err));
    for (const QString& line : r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const QStringList f = line.trimmed().split(QLatin1Char('|'));
        if (f.size() >= 3)
            out.tasks.insert(f[0], {f[1], f[2]});
    }
    return out;
}

// sacct's state of a finished task ("TIMEOUT", "OUT_OF_MEMORY", ...), empty without accounting.
QString accountedState(const QString& task)
{
    const CommandResult r = runCommand(QStringLiteral("sacct"), {QStringLiteral("-n"), QStringLiteral("-P"), QStringLiteral("-X"),
                                                                 QStringLiteral("-j"), task, QStringLiteral("-o"),
                                                                 QStringLiteral("State,ExitCode")},
                                       20000);
    if (!r.started || r.exitCode != 0)
        return {};
    const QString first = r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts).value(0).trimmed();
    return first.isEmpty() ? QString() : first.section(QLatin1Char('|'), 0, 0) + QStringLiteral(" (exit ") +
                                             first.section(QLatin1Char('|'), 1, 1) + QLatin1Char(')');
}

} // namespace

bool isSlurmOwner(const QString& owner)
{
    return owner.startsWith(kOwnerPrefix);
}

QString slurmTaskOf(const RunRecord& run)
{
    return run.state == RunState::Running && isSlurmOwner(run.owner) ? taskOf(run.owner) : QString();
}

bool isPendingOnSlurm(const RunRecord& run)
{
    const QString task = slurmTaskOf(run);
    return !task.isEmpty() && run.detail.startsWith(queueDetail(task, QStringLiteral("PENDING"), {}));
}

Status cancelQueuedOrClusterRun(const Project& project, RowId runId)
{
    RunStore store(project.database());
    const auto run = store.run(runId);
    if (!run)
        return Status::failure(run.error());
    if (run.value() && !slurmTaskOf(*run.value()).isEmpty())
        return cancelSlurmRun(project, runId);
    return store.cancelQueued({runId});
}

QJsonObject SlurmSettings::toJson() const
{
    return QJsonObject{{"partition", partition}, {"account", account}, {"qos", qos},
                       {"time", time},           {"gpus_per_run", gpusPerRun}, {"cpus_per_run", cpusPerRun},
                       {"mem", mem},             {"max_parallel", maxParallel}, {"setup", setup},
                       {"sbatch_args", QJsonArray::fromStringList(sbatchArgs)}, {"cli", cli}};
}

SlurmSettings SlurmSettings::fromJson(const QJsonObject& json)
{
    SlurmSettings s;
    s.partition = json.value("partition").toString();
    s.account = json.value("account").toString();
    s.qos = json.value("qos").toString();
    s.time = json.value("time").toString();
    s.gpusPerRun = json.value("gpus_per_run").toInt();
    s.cpusPerRun = json.value("cpus_per_run").toInt();
    s.mem = json.value("mem").toString();
    s.maxParallel = json.value("max_parallel").toInt();
    s.setup = json.value("setup").toString();
    for (const QJsonValue& v : json.value("sbatch_args").toArray())
        s.sbatchArgs << v.toString();
    s.cli = json.value("cli").toString();
    return s;
}

Outcome<SlurmSettings> loadSlurmSettings(const Project& project)
{
    const QString path = QDir(slurmFolder(project)).filePath(QStringLiteral("settings.json"));
    if (!QFileInfo::exists(path))
        return SlurmSettings{};
    const auto json = readJsonFile(path);
    if (!json)
        return Outcome<SlurmSettings>::failure(json.error());
    return SlurmSettings::fromJson(json.value());
}

Status saveSlurmSettings(const Project& project, const SlurmSettings& settings)
{
    return writeJsonFile(QDir(slurmFolder(project)).filePath(QStringLiteral("settings.json")), settings.toJson());
}

Outcome<SlurmSubmission> submitQueuedRuns(const Project& project, const SlurmSettings& settings)
{
    using Out = Outcome<SlurmSubmission>;
    RunStore store(project.database());
    const auto runs = store.runs();
    if (!runs)
        return Out::failure(runs.error());
    SlurmSubmission submission;
    QStringList folders;
    for (const RunRecord& run : runs.value()) {
        if (run.state != RunState::Queued)
            continue;
        const QString dir = runDirectory(project, run.id);
        if (Status s = ensureRunSpec(dir, run); !s)
            return Out::failure(s.error());
        submission.runs << run.id;
        folders << QDir(dir).absolutePath();
    }
    if (submission.runs.isEmpty())
        return Out::failure(QStringLiteral("%1: no queued runs to submit").arg(project.path()));
    const QString stamp = QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss-zzz"));
    const QString listPath = QDir(slurmFolder(project)).filePath(QStringLiteral("array-%1.runs").arg(stamp));
    submission.script = QDir(slurmFolder(project)).filePath(QStringLiteral("array-%1.sh").arg(stamp));
    if (!QDir().mkpath(slurmFolder(project)))
        return Out::failure(QStringLiteral("%1: cannot create the folder").arg(slurmFolder(project)));
    if (Status s = writeText(listPath, folders.join(QLatin1Char('\n')) + QLatin1Char('\n')); !s)
        return Out::failure(s.error());
    if (Status s = writeText(submission.script, batchScript(project, settings, int(folders.size()), listPath), true); !s)
        return Out::failure(s.error());
    for (const QString& folder : folders)
        clearRunOutputs(folder);
    const CommandResult r = runCommand(QStringLiteral("sbatch"),
                                       settings.sbatchArgs + QStringList{QStringLiteral("--parsable"), submission.script});
    if (!r.started)
        return Out::failure(QStringLiteral("sbatch: cannot run it (%1); is this a Slurm login node?").arg(r.err));
    if (r.exitCode != 0)
        return Out::failure(QStringLiteral("sbatch failed (exit %1), nothing was submitted: %2").arg(r.exitCode).arg(r.err));
    submission.jobId = r.out.trimmed().section(QLatin1Char(';'), 0, 0);
    bool numeric = false;
    submission.jobId.toLongLong(&numeric);
    if (!numeric)
        return Out::failure(QStringLiteral("sbatch printed no job id: \"%1\"").arg(r.out.trimmed()));
    QVector<QPair<RowId, QString>> owners;
    for (int i = 0; i < submission.runs.size(); ++i)
        owners << qMakePair(submission.runs[i], QStringLiteral("%1%2_%3").arg(kOwnerPrefix).arg(submission.jobId).arg(i));
    if (Status s = store.markSubmitted(owners); !s) {
        // Another executor took a run meanwhile: withdraw the whole array, nothing is submitted.
        runCommand(QStringLiteral("scancel"), {submission.jobId});
        return Out::failure(s.error() + QStringLiteral("; job %1 was cancelled again").arg(submission.jobId));
    }
    return submission;
}

Outcome<SlurmTrackReport> trackSlurmRuns(const Project& project)
{
    using Out = Outcome<SlurmTrackReport>;
    RunStore store(project.database());
    const auto runs = store.runs();
    if (!runs)
        return Out::failure(runs.error());
    SlurmTrackReport report;
    QVector<RunRecord> open;
    QSet<QString> jobIds;
    const auto collect = [&](const RunRecord& run) -> Outcome<bool> {
        const auto collected = collectRun(project, run.id, runDirectory(project, run.id));
        if (!collected)
            return Outcome<bool>::failure(collected.error());
        if (!collected->finishedByWorker)
            return false;
        ++report.collected;
        report.messages << QStringLiteral("run %1 (%2): %3%4").arg(run.id).arg(taskOf(run.owner), toStorageText(collected->state),
                                                                    collected->error.isEmpty() ? QString() : QStringLiteral(": ") + collected->error);
        return true;
    };
    for (const RunRecord& run : runs.value()) {
        if (run.state != RunState::Running || !isSlurmOwner(run.owner))
            continue;
        const auto done = collect(run);
        if (!done)
            return Out::failure(done.error());
        if (done.value())
            continue;
        open << run;
        jobIds.insert(taskOf(run.owner).section(QLatin1Char('_'), 0, 0));
    }
    const auto queue = listQueue(jobIds);
    if (!queue)
        return Out::failure(queue.error());
    for (const RunRecord& run : open) {
        const QString task = taskOf(run.owner);
        if (const auto it = queue->tasks.constFind(task); it != queue->tasks.constEnd()) {
            ++report.active;
            if (it->first != QLatin1String("RUNNING") || run.progress <= 0.0)
                store.updateProgress(run.id, run.progress, queueDetail(task, it->first, it->second), run.lossCurve);
            continue;
        }
        // Gone from the queue: it finished just now, or it ended without finishing.
        const auto done = collect(run);
        if (!done)
            return Out::failure(done.error());
        if (done.value())
            continue;
        const QString accounted = accountedState(task);
        const QString reason = accounted.isEmpty()
            ? QStringLiteral("Slurm task %1 left the queue without a finished status.json; the cluster keeps no "
                             "accounting (sacct) to say why. Retry submits it again; fine-tuning resumes from its saved state.").arg(task)
            : QStringLiteral("Slurm task %1 ended %2 without a finished status.json. Retry submits it again; "
                             "fine-tuning resumes from its saved state.").arg(task, accounted);
        if (Status s = store.markInterrupted(run.id, reason); !s)
            return Out::failure(s.error());
        ++report.interrupted;
        report.messages << QStringLiteral("run %1 (%2): interrupted: %3").arg(run.id).arg(task, reason);
    }
    return report;
}

Status cancelSlurmRun(const Project& project, RowId runId)
{
    RunStore store(project.database());
    const auto run = store.run(runId);
    if (!run)
        return Status::failure(run.error());
    if (!run.value() || !isSlurmOwner(run.value()->owner) || run.value()->state != RunState::Running)
        return Status::failure(QStringLiteral("run %1 is not running on Slurm").arg(runId));
    const QString task = taskOf(run.value()->owner);
    const auto queue = listQueue({task.section(QLatin1Char('_'), 0, 0)});
    const bool pending = queue && queue->tasks.value(task).first == QLatin1String("PENDING");
    const CommandResult r = runCommand(QStringLiteral("scancel"), {task});
    if (!r.started)
        return Status::failure(QStringLiteral("scancel: cannot run it: %1").arg(r.err));
    if (r.exitCode != 0)
        return Status::failure(QStringLiteral("scancel %1 failed (exit %2): %3").arg(task).arg(r.exitCode).arg(r.err));
    // A pending task never started a worker to say so; a running one writes "cancelled" itself.
    if (pending)
        return store.finish(runId, RunState::Cancelled, QStringLiteral("cancelled before it started (Slurm %1)").arg(task), QString(), {});
    return success();
}

} // namespace ckptlab
