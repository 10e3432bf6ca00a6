#include "cli/CliCommand.h"

#include "jobs/EvaluationJob.h"
#include "project/Project.h"
#include "project/SnapshotLoader.h"

#include <QCommandLineParser>
#include <QElapsedTimer>

#include <atomic>
#include <csignal>

namespace ckptlab::cli {

namespace {

std::atomic<bool> g_stop{false};

extern "C" void onInterrupt(int)
{
    g_stop.store(true); // finish the current batch, keep what finished, then stop
}

// "all", or labels ("1000", "main"), steps, or "series:label".
Outcome<QVector<CheckpointInfo>> chooseCheckpoints(const ResultSnapshot& s, const QString& which)
{
    QVector<CheckpointInfo> chosen;
    const bool all = which == QLatin1String("all");
    const QStringList wanted = which.split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const QString& w : wanted) {
        bool found = all;
        for (const CheckpointInfo& c : s.checkpoints)
            found = found || c.label == w || QStringLiteral("%1:%2").arg(c.series, c.label) == w;
        if (!found)
            return Outcome<QVector<CheckpointInfo>>::failure(
                QStringLiteral("eval: no checkpoint \"%1\" in the project (see: ckptlab-cli list --project P checkpoints)").arg(w));
    }
    for (const CheckpointInfo& c : s.checkpoints) {
        const bool match = all || wanted.contains(c.label) || wanted.contains(QStringLiteral("%1:%2").arg(c.series, c.label));
        if (match && !c.path.isEmpty() && c.status == QLatin1String("ok"))
            chosen.push_back(c);
    }
    if (chosen.isEmpty())
        return Outcome<QVector<CheckpointInfo>>::failure(
            QStringLiteral("eval: no usable checkpoint chosen (scan checkpoint folders first: ckptlab-cli scan)"));
    return chosen;
}

std::optional<QVector<int>> parseShots(const QString& text)
{
    QVector<int> shots;
    for (const QString& part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const int k = part.trimmed().toInt(&ok);
        if (!ok || k < 0)
            return std::nullopt;
        shots << k;
    }
    return shots.isEmpty() ? std::nullopt : std::optional(shots);
}

} // namespace

int runEval(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.addOptions({
        {QStringLiteral("project"), QStringLiteral("Project file."), QStringLiteral("P")},
        {QStringLiteral("checkpoints"), QStringLiteral("all, or checkpoint labels / series:label, comma-separated."),
         QStringLiteral("WHICH"), QStringLiteral("all")},
        {QStringLiteral("task"), QStringLiteral("Task spec JSON."), QStringLiteral("SPEC.json")},
        {QStringLiteral("formats"), QStringLiteral("Prompt formats, comma-separated (default: the spec's)."), QStringLiteral("LIST")},
        {QStringLiteral("shots"), QStringLiteral("Shot counts, comma-separated (default 0)."), QStringLiteral("LIST"), QStringLiteral("0")},
        {QStringLiteral("device"), QStringLiteral("cpu or cuda:N (default cpu)."), QStringLiteral("DEVICE"), QStringLiteral("cpu")},
        {QStringLiteral("dtype"), QStringLiteral("fp32, bf16 or fp16 (default fp32)."), QStringLiteral("DTYPE"), QStringLiteral("fp32")},
        {QStringLiteral("limit"), QStringLiteral("Evaluate the first N items only."), QStringLiteral("N")},
        {QStringLiteral("batch-size"), QStringLiteral("Largest batch (default: chosen from memory)."), QStringLiteral("N")},
    });
    if (!parser.parse(QStringList{QStringLiteral("eval")} + arguments))
        return fail(parser.errorText(), 2);
    if (!parser.isSet(QStringLiteral("project")) || !parser.isSet(QStringLiteral("task")))
        return fail(QStringLiteral("eval: --project and --task are required"), 2);
    const auto shots = parseShots(parser.value(QStringLiteral("shots")));
    if (!shots)
        return fail(QStringLiteral("eval: --shots needs whole numbers >= 0, e.g. 0,4"), 2);
    EvaluationPlan plan;
    plan.taskSpecPath = parser.value(QStringLiteral("task"));
    plan.formats = parser.value(QStringLiteral("formats")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    plan.shots = *shots;
    plan.device = parser.value(QStringLiteral("device"));
    plan.dtype = parser.value(QStringLiteral("dtype"));
    const auto limit = positiveOption(parser, QStringLiteral("limit"), 0);
    const auto batchSize = positiveOption(parser, QStringLiteral("batch-size"), 0);
    if (!limit || !batchSize)
        return fail(QStringLiteral("eval: --limit and --batch-size need positive whole numbers"), 2);
    plan.limit = *limit;
    plan.batchSize = *batchSize;

    const auto opened = openProjectSnapshot(parser.value(QStringLiteral("project")));
    if (!opened)
        return fail(opened.error());
    const auto checkpoints = chooseCheckpoints(opened->snapshot, parser.value(QStringLiteral("checkpoints")));
    if (!checkpoints)
        return fail(checkpoints.error());
    plan.checkpoints = checkpoints.value();

    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    QElapsedTimer sincePrint;
    sincePrint.start();
    int lastEvaluation = -1;
    const auto report = runEvaluation(opened->project, plan, [&](const EvaluationProgress& p) {
        const bool finished = p.done == p.total;
        if (!finished && p.evaluation == lastEvaluation && sincePrint.elapsed() < 2000)
            return;
        lastEvaluation = p.evaluation;
        sincePrint.restart();
        print(QStringLiteral("[%1/%2] %3  %4 %5-shot  %6/%7 items  %8 items/s  ETA %9")
                  .arg(p.evaluation + 1)
                  .arg(p.evaluations)
                  .arg(p.checkpoint, p.format)
                  .arg(p.shots)
                  .arg(p.done)
                  .arg(p.total)
                  .arg(p.itemsPerSecond, 0, 'f', 1)
                  .arg(p.etaSeconds < 0 ? QStringLiteral("?") : QStringLiteral("%1 s").arg(qRound(p.etaSeconds))));
    }, &g_stop);
    std::signal(SIGINT, SIG_DFL);
    if (!report)
        return fail(report.error());
    print(report->summary());
    if (report->cancelled)
        return 130;
    return report->failures.isEmpty() ? 0 : 1;
}

} // namespace ckptlab::cli
