#include "cli/CliCommand.h"

#include "jobs/ComputeRuntime.h"
#include "jobs/RunExecutor.h"
#include "project/RunStore.h"

#include <QCommandLineParser>
#include <QElapsedTimer>

#include <atomic>
#include <csignal>

namespace ckptlab::cli {

namespace {

RunControl* g_control = nullptr;
std::atomic<bool> g_interrupted{false};

extern "C" void onRunInterrupt(int)
{
    g_interrupted.store(true);
    if (g_control)
        g_control->cancel.store(true); // the run stops within a step, its state saved
}

} // namespace

// Executes queued runs of a project on one device until the queue is empty; see runQueuedRuns.
int runRun(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.addOptions({
        {QStringLiteral("project"), QStringLiteral("Project file."), QStringLiteral("P")},
        {QStringLiteral("device"), QStringLiteral("cpu or cuda:N (default: cuda:0 when there is a GPU, else cpu)."),
         QStringLiteral("DEVICE")},
        {QStringLiteral("max-runs"), QStringLiteral("Stop after N runs."), QStringLiteral("N")},
        {QStringLiteral("retry-interrupted"), QStringLiteral("Queue runs interrupted by a crash again first (they resume).")},
    });
    if (!parser.parse(QStringList{QStringLiteral("run")} + arguments))
        return fail(parser.errorText(), 2);
    if (!parser.isSet(QStringLiteral("project")))
        return fail(QStringLiteral("run: --project is required"), 2);
    const auto maxRuns = positiveOption(parser, QStringLiteral("max-runs"), 0);
    if (!maxRuns)
        return fail(QStringLiteral("run: --max-runs needs a positive whole number"), 2);
    const auto project = Project::open(parser.value(QStringLiteral("project")), Project::Mode::OpenExisting);
    if (!project)
        return fail(project.error());
    configureCompute();
    QString device = parser.value(QStringLiteral("device"));
    if (device.isEmpty())
        device = defaultComputeDevice();
    RunControl control;
    return runQueuedRuns(project.value(), device, *maxRuns, parser.isSet(QStringLiteral("retry-interrupted")), control);
}

int runQueuedRuns(const Project& project, const QString& device, int maxRuns, bool retryInterrupted, RunControl& control)
{
    RunStore store(project.database());
    const auto interrupted = store.markInterrupted();
    if (!interrupted)
        return fail(interrupted.error());
    if (interrupted.value() > 0)
        print(QStringLiteral("%1 run(s) were interrupted by a crash%2").arg(interrupted.value())
                  .arg(retryInterrupted ? QStringLiteral("; queued again") : QStringLiteral(" (--retry-interrupted queues them again)")));
    if (retryInterrupted) {
        QVector<RowId> ids;
        if (const auto runs = store.runs())
            for (const RunRecord& r : runs.value())
                if (r.state == RunState::Interrupted)
                    ids << r.id;
        if (Status s = store.requeue(ids); !s)
            return fail(s.error());
    }

    g_control = &control;
    std::signal(SIGINT, onRunInterrupt);
    std::signal(SIGTERM, onRunInterrupt);
    const QString owner = currentRunOwner();
    int ran = 0, failed = 0;
    int exitCode = 0;
    while (maxRuns == 0 || ran < maxRuns) {
        if (g_interrupted.load()) {
            exitCode = 130;
            break;
        }
        const auto claimed = store.claimNext(device, owner);
        if (!claimed) {
            exitCode = fail(claimed.error());
            break;
        }
        if (!claimed.value())
            break;
        const RunRecord run = *claimed.value();
        control.cancel = g_interrupted.load();
        print(QStringLiteral("run %1 on %2: %3").arg(run.id).arg(device, run.title));
        QElapsedTimer sincePrint;
        sincePrint.start();
        std::optional<RunPhase> lastPhase;
        const RunOutcome outcome = executeRun(project, run, device, [&](const RunProgress& p) {
            if (p.phase == lastPhase && sincePrint.elapsed() < 5000)
                return;
            lastPhase = p.phase;
            sincePrint.restart();
            print(QStringLiteral("  %1% %2").arg(qRound(p.fraction * 100), 3).arg(p.detail));
        }, control);
        ++ran;
        if (outcome.state == RunState::Cancelled && g_interrupted.load()) {
            store.release(run.id); // back in the queue at its place: the next `run` resumes it
            print(QStringLiteral("run %1 stopped (Ctrl-C); it stays queued and resumes from its saved state").arg(run.id));
            exitCode = 130;
            break;
        }
        const double finalLoss = outcome.lossCurve.isEmpty() ? -1.0 : outcome.lossCurve.back();
        print(QStringLiteral("run %1 %2 in %3 s: %4 result(s)%5%6")
                  .arg(run.id)
                  .arg(toStorageText(outcome.state))
                  .arg(outcome.seconds, 0, 'f', 1)
                  .arg(outcome.resultsWritten)
                  .arg(finalLoss >= 0 ? QStringLiteral(", final loss %1").arg(finalLoss, 0, 'f', 4) : QString())
                  .arg(outcome.error.isEmpty() ? QString() : QStringLiteral(": ") + outcome.error));
        failed += outcome.state == RunState::Failed ? 1 : 0;
    }
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    g_control = nullptr;
    print(QStringLiteral("%1 run(s) executed, %2 failed").arg(ran).arg(failed));
    if (exitCode != 0)
        return exitCode;
    return failed > 0 ? 1 : 0;
}

} // namespace ckptlab::cli
