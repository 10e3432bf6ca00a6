#include "cli/CliCommand.h"

#include "jobs/ComputeRuntime.h"
#include "jobs/DemoStudyJob.h"

#include <QCommandLineParser>
#include <QElapsedTimer>

namespace ckptlab::cli {

int runDemo(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.addOptions({{QStringLiteral("project"), QStringLiteral("Project file to create (or reuse)."), QStringLiteral("P")}});
    if (!parser.parse(QStringList{QStringLiteral("demo")} + arguments))
        return fail(parser.errorText(), 2);
    if (!parser.isSet(QStringLiteral("project")))
        return fail(QStringLiteral("demo: --project is required, e.g. ckptlab-cli demo --project demo.ckptlab"), 2);
    const auto project = Project::open(parser.value(QStringLiteral("project")), Project::Mode::CreateIfMissing);
    if (!project)
        return fail(project.error());
    configureCompute();
    QElapsedTimer clock;
    clock.start();
    QElapsedTimer sincePrint;
    sincePrint.start();
    QString lastPhase;
    const auto prepared = prepareDemoStudy(project.value(), [&](const DemoStudyProgress& p) {
        if (p.phase == lastPhase && sincePrint.elapsed() < 3000)
            return;
        lastPhase = p.phase;
        sincePrint.restart();
        print(QStringLiteral("[%1 s] %2").arg(clock.elapsed() / 1000.0, 5, 'f', 1).arg(p.detail));
    });
    if (!prepared)
        return fail(prepared.error());
    print(QStringLiteral("[%1 s] %2 checkpoints and %3 tasks in %4; %5")
              .arg(clock.elapsed() / 1000.0, 5, 'f', 1)
              .arg(prepared->checkpoints)
              .arg(prepared->tasks)
              .arg(prepared->dataFolder, prepared->estimate.summary()));
    RunControl control;
    const int code = runQueuedRuns(project.value(), QStringLiteral("cpu"), 0, false, control);
    print(QStringLiteral("demo finished in %1 s; open it with: ckptlab %2")
              .arg(clock.elapsed() / 1000.0, 0, 'f', 1)
              .arg(parser.value(QStringLiteral("project"))));
    return code;
}

} // namespace ckptlab::cli
