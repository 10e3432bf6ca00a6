// ckptlab-cli submit / status / cancel: queued runs as one Slurm job array, their states, and
// cancelling one run (jobs/SlurmCluster.h). `collect` (WorkerCommands.cpp) imports them.

#include "cli/CliCommand.h"

#include "jobs/SlurmCluster.h"
#include "project/RunStore.h"

#include <QCommandLineParser>

namespace ckptlab::cli {

namespace {

// Options override the project's saved settings; the result is saved for next time.
Outcome<SlurmSettings> settingsFrom(const QCommandLineParser& parser, SlurmSettings s)
{
    const auto text = [&](const char* name, QString& field) {
        if (parser.isSet(QLatin1String(name)))
            field = parser.value(QLatin1String(name));
    };
    text("partition", s.partition);
    text("account", s.account);
    text("qos", s.qos);
    text("time", s.time);
    text("mem", s.mem);
    text("setup", s.setup);
    text("cli", s.cli);
    for (auto [name, field] : {std::pair<const char*, int*>{"gpus-per-run", &s.gpusPerRun}, {"cpus-per-run", &s.cpusPerRun},
                               {"max-parallel", &s.maxParallel}}) {
        if (!parser.isSet(QLatin1String(name)))
            continue;
        bool ok = false;
        const int v = parser.value(QLatin1String(name)).toInt(&ok);
        if (!ok || v < 0)
            return Outcome<SlurmSettings>::failure(QStringLiteral("submit: --%1 needs a whole number >= 0").arg(QLatin1String(name)));
        *field = v;
    }
    if (parser.isSet(QStringLiteral("sbatch-arg")))
        s.sbatchArgs = parser.values(QStringLiteral("sbatch-arg"));
    return s;
}

} // namespace

int runSubmit(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.addOptions({
        {QStringLiteral("project"), QStringLiteral("Project file."), QStringLiteral("P")},
        {QStringLiteral("slurm"), QStringLiteral("Submit to Slurm (the only cluster ckptlab knows).")},
        {QStringLiteral("partition"), QStringLiteral("Slurm partition."), QStringLiteral("X")},
        {QStringLiteral("account"), QStringLiteral("Slurm account."), QStringLiteral("A")},
        {QStringLiteral("qos"), QStringLiteral("Slurm QOS."), QStringLiteral("Q")},
        {QStringLiteral("time"), QStringLiteral("Time limit per run."), QStringLiteral("HH:MM:SS")},
        {QStringLiteral("gpus-per-run"), QStringLiteral("GPUs per run (--gres=gpu:N)."), QStringLiteral("N")},
        {QStringLiteral("cpus-per-run"), QStringLiteral("CPUs per run."), QStringLiteral("N")},
        {QStringLiteral("mem"), QStringLiteral("Memory per run (e.g. 16G)."), QStringLiteral("SIZE")},
        {QStringLiteral("max-parallel"), QStringLiteral("At most K runs at once (--array=...%K)."), QStringLiteral("K")},
        {QStringLiteral("setup"), QStringLiteral("Shell lines run before the worker (module load ...)."), QStringLiteral("LINES")},
        {QStringLiteral("sbatch-arg"), QStringLiteral("An extra sbatch argument (repeatable)."), QStringLiteral("ARG")},
        {QStringLiteral("cli"), QStringLiteral("ckptlab-cli on the nodes (default: this one)."), QStringLiteral("PATH")},
        {QStringLiteral("retry"), QStringLiteral("Queue failed, cancelled and interrupted runs again first (fine-tuning resumes).")},
    });
    if (!parser.parse(QStringList{QStringLiteral("submit")} + arguments))
        return fail(parser.errorText(), 2);
    if (!parser.isSet(QStringLiteral("project")) || !parser.isSet(QStringLiteral("slurm")))
        return fail(QStringLiteral("submit: --project P --slurm are required"), 2);
    const auto project = Project::open(parser.value(QStringLiteral("project")), Project::Mode::OpenExisting);
    if (!project)
        return fail(project.error());
    const auto saved = loadSlurmSettings(project.value());
    if (!saved)
        return fail(saved.error());
    const auto settings = settingsFrom(parser, saved.value());
    if (!settings)
        return fail(settings.error(), 2);
    if (Status s = saveSlurmSettings(project.value(), settings.value()); !s)
        return fail(s.error());
    if (parser.isSet(QStringLiteral("retry"))) {
        RunStore store(project->database());
        QVector<RowId> ids;
        if (const auto runs = store.runs())
            for (const RunRecord& r : runs.value())
                if (r.canRetry())
                    ids << r.id;
        if (Status s = store.requeue(ids); !s)
            return fail(s.error());
        print(QStringLiteral("%1 run(s) queued again").arg(ids.size()));
    }
    const auto submitted = submitQueuedRuns(project.value(), settings.value());
    if (!submitted)
        return fail(submitted.error());
    print(QStringLiteral("submitted %1 run(s) as Slurm job array %2 (script: %3)")
              .arg(submitted->runs.size())
              .arg(submitted->jobId, submitted->script));
    print(QStringLiteral("follow it with: ckptlab-cli status --project %1; import results with: ckptlab-cli collect --project %1 --wait")
              .arg(parser.value(QStringLiteral("project"))));
    return 0;
}

int runStatus(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.addOptions({{QStringLiteral("project"), QStringLiteral("Project file."), QStringLiteral("P")}});
    if (!parser.parse(QStringList{QStringLiteral("status")} + arguments))
        return fail(parser.errorText(), 2);
    if (!parser.isSet(QStringLiteral("project")))
        return fail(QStringLiteral("status: --project is required"), 2);
    const auto project = Project::open(parser.value(QStringLiteral("project")), Project::Mode::OpenExisting);
    if (!project)
        return fail(project.error());
    const auto tracked = trackSlurmRuns(project.value());
    if (!tracked)
        return fail(tracked.error());
    const auto runs = RunStore(project->database()).runs();
    if (!runs)
        return fail(runs.error());
    for (const RunRecord& r : runs.value())
        print(QStringLiteral("%1\t%2\t%3\t%4\t%5%6")
                  .arg(r.id)
                  .arg(toStorageText(r.state), isSlurmOwner(r.owner) ? r.owner : r.device, r.title, r.detail)
                  .arg(r.error.isEmpty() ? QString() : QStringLiteral("\t") + r.error));
    return 0;
}

int runCancel(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.addOptions({{QStringLiteral("project"), QStringLiteral("Project file."), QStringLiteral("P")}});
    parser.addPositionalArgument(QStringLiteral("run"), QStringLiteral("The run's id (ckptlab-cli status lists them)."));
    if (!parser.parse(QStringList{QStringLiteral("cancel")} + arguments))
        return fail(parser.errorText(), 2);
    bool ok = false;
    const RowId id = parser.positionalArguments().value(0).toLongLong(&ok);
    if (!parser.isSet(QStringLiteral("project")) || !ok)
        return fail(QStringLiteral("cancel: --project P RUN_ID"), 2);
    const auto project = Project::open(parser.value(QStringLiteral("project")), Project::Mode::OpenExisting);
    if (!project)
        return fail(project.error());
    const auto run = RunStore(project->database()).run(id);
    if (!run || !run.value())
        return fail(QStringLiteral("cancel: the project has no run %1").arg(id));
    if (Status s = cancelQueuedOrClusterRun(project.value(), id); !s)
        return fail(s.error());
    print(QStringLiteral("run %1: cancel requested").arg(id));
    return 0;
}

} // namespace ckptlab::cli
