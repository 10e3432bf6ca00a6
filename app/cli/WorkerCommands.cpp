// ckptlab-cli worker RUN_DIR and ckptlab-cli collect: the two halves of the run pipeline
// (jobs/RunWorker.h, jobs/RunCollector.h) as commands, for runs executed elsewhere (a cluster
// node that sees the project folder) and collected into the project afterwards.

#include "cli/CliCommand.h"

#include "jobs/ComputeRuntime.h"
#include "jobs/RunCollector.h"
#include "jobs/RunWorker.h"
#include "jobs/SlurmCluster.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QThread>

#include <atomic>
#include <csignal>

namespace ckptlab::cli {

namespace {

RunControl* g_workerControl = nullptr;

extern "C" void onWorkerSignal(int)
{
    if (g_workerControl)
        g_workerControl->cancel.store(true); // stops within a step; the training state is saved
}

} // namespace

int runWorkerCommand(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.addOptions({{QStringLiteral("device"), QStringLiteral("cpu or cuda:N (default: cuda:0 when there is a GPU, else cpu)."),
                        QStringLiteral("DEVICE")}});
    parser.addPositionalArgument(QStringLiteral("run_dir"), QStringLiteral("The run's folder (holding spec.json)."));
    if (!parser.parse(QStringList{QStringLiteral("worker")} + arguments))
        return fail(parser.errorText(), 2);
    if (parser.positionalArguments().size() != 1)
        return fail(QStringLiteral("worker: give one run folder, e.g. ckptlab-cli worker project.runs/run-3"), 2);
    const QString runDir = parser.positionalArguments().first();
    configureCompute();
    const QString device = parser.isSet(QStringLiteral("device")) ? parser.value(QStringLiteral("device")) : defaultComputeDevice();
    RunControl control;
    g_workerControl = &control;
    std::signal(SIGINT, onWorkerSignal);
    std::signal(SIGTERM, onWorkerSignal); // Slurm sends SIGTERM before it kills a task
    QElapsedTimer sincePrint;
    sincePrint.start();
    std::optional<RunPhase> lastPhase;
    const WorkerReport report = runWorker(runDir, device, [&](const RunProgress& p) {
        if (p.phase == lastPhase && sincePrint.elapsed() < 5000)
            return;
        lastPhase = p.phase;
        sincePrint.restart();
        print(QStringLiteral("  %1% %2").arg(qRound(p.fraction * 100), 3).arg(p.detail));
    }, control);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    g_workerControl = nullptr;
    print(QStringLiteral("%1: %2 in %3 s%4")
              .arg(runDir, toStorageText(report.state))
              .arg(report.seconds, 0, 'f', 1)
              .arg(report.error.isEmpty() ? QString() : QStringLiteral(": ") + report.error));
    switch (report.state) {
    case WorkerState::Finished: return 0;
    case WorkerState::Cancelled: return 130;
    default: return 1;
    }
}

int runCollect(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.addOptions({{QStringLiteral("project"), QStringLiteral("Project file."), QStringLiteral("P")},
                       {QStringLiteral("wait"), QStringLiteral("Until no run is pending or running on the cluster.")},
                       {QStringLiteral("timeout"), QStringLiteral("Give up waiting after S seconds (exit 1)."), QStringLiteral("S")}});
    if (!parser.parse(QStringList{QStringLiteral("collect")} + arguments))
        return fail(parser.errorText(), 2);
    if (!parser.isSet(QStringLiteral("project")))
        return fail(QStringLiteral("collect: --project is required"), 2);
    const auto timeout = positiveOption(parser, QStringLiteral("timeout"), 0);
    if (!timeout)
        return fail(QStringLiteral("collect: --timeout needs a positive whole number of seconds"), 2);
    const auto project = Project::open(parser.value(QStringLiteral("project")), Project::Mode::OpenExisting);
    if (!project)
        return fail(project.error());
    QElapsedTimer clock;
    clock.start();
    int changed = 0;
    for (;;) {
        const auto tracked = trackSlurmRuns(project.value());
        if (!tracked)
            return fail(tracked.error());
        for (const QString& line : tracked->messages)
            print(line);
        changed += tracked->collected + tracked->interrupted;
        const auto collected = collectFinishedRuns(project.value()); // runs of local workers
        if (!collected)
            return fail(collected.error());
        for (const CollectedRun& run : collected.value()) {
            if (!run.changed)
                continue;
            ++changed;
            print(QStringLiteral("run %1: %2, %3 result(s)%4")
                      .arg(run.runId)
                      .arg(toStorageText(run.state))
                      .arg(run.resultsWritten)
                      .arg(run.error.isEmpty() ? QString() : QStringLiteral(": ") + run.error));
        }
        if (!parser.isSet(QStringLiteral("wait")) || tracked->active == 0)
            break;
        if (*timeout > 0 && clock.elapsed() > qint64(*timeout) * 1000) {
            print(QStringLiteral("%1 run(s) collected; %2 still on the cluster after %3 s").arg(changed).arg(tracked->active).arg(*timeout));
            return 1;
        }
        QThread::msleep(2000);
    }
    print(QStringLiteral("%1 run(s) collected").arg(changed));
    return 0;
}

} // namespace ckptlab::cli
