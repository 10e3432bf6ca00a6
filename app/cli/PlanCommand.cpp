#include "cli/CliCommand.h"

#include "jobs/RunPlanner.h"

#include <QCommandLineParser>
#include <QFile>
#include <QJsonDocument>

namespace ckptlab::cli {

namespace {

template <typename T, typename Parse>
std::optional<QVector<T>> listOption(const QString& text, Parse parse)
{
    QVector<T> out;
    for (const QString& part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const T v = parse(part.trimmed(), &ok);
        if (!ok || !(v > 0))
            return std::nullopt;
        out << v;
    }
    if (out.isEmpty())
        return std::nullopt;
    return out;
}

std::optional<QVector<int>> intList(const QString& text, bool allowZero = false)
{
    QVector<int> out;
    for (const QString& part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const int v = part.trimmed().toInt(&ok);
        if (!ok || v < (allowZero ? 0 : 1))
            return std::nullopt;
        out << v;
    }
    if (out.isEmpty())
        return std::nullopt;
    return out;
}

// "SERIES", "SERIES:FROM-TO", "all", or a folder path.
Outcome<QVector<CheckpointInfo>> checkpointsFromFlag(const QVector<CheckpointInfo>& known, const QString& flag)
{
    QVector<CheckpointInfo> out;
    for (const QString& part : flag.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        QVector<CheckpointInfo> picked;
        if (part == QLatin1String("all")) {
            picked = selectCheckpoints(known, QString());
        } else if (part.contains(QLatin1Char('/'))) {
            for (const CheckpointInfo& c : known)
                if (c.path == part || c.path == part + QLatin1Char('/'))
                    picked << c;
        } else {
            const QStringList seriesAndRange = part.split(QLatin1Char(':'));
            qint64 from = 0, to = -1;
            if (seriesAndRange.size() == 2) {
                const QStringList range = seriesAndRange[1].split(QLatin1Char('-'));
                bool okFrom = false, okTo = true;
                from = range[0].toLongLong(&okFrom);
                if (range.size() > 1 && !range[1].isEmpty())
                    to = range[1].toLongLong(&okTo);
                if (!okFrom || !okTo || range.size() > 2)
                    return Outcome<QVector<CheckpointInfo>>::failure(
                        QStringLiteral("plan: --checkpoints \"%1\": a step range reads SERIES:FROM-TO, e.g. pythia-160m:1000-8000").arg(part));
            }
            picked = selectCheckpoints(known, seriesAndRange[0], from, to);
        }
        if (picked.isEmpty())
            return Outcome<QVector<CheckpointInfo>>::failure(
                QStringLiteral("plan: --checkpoints \"%1\" matches no scanned checkpoint (see: ckptlab-cli list --project P checkpoints)").arg(part));
        out += picked;
    }
    return out;
}

void addPlanOptions(QCommandLineParser& parser)
{
    parser.addOptions({
        {QStringLiteral("project"), QStringLiteral("Project file."), QStringLiteral("P")},
        {QStringLiteral("plan"), QStringLiteral("A JSON plan file (the same grid as the flags)."), QStringLiteral("FILE.json")},
        {QStringLiteral("name"), QStringLiteral("Name of the plan."), QStringLiteral("NAME")},
        {QStringLiteral("checkpoints"), QStringLiteral("all, SERIES, SERIES:FROM-TO (steps) or folders, comma-separated."),
         QStringLiteral("WHICH")},
        {QStringLiteral("finetune"), QStringLiteral("Task specs to fine-tune on, comma-separated."), QStringLiteral("SPECS")},
        {QStringLiteral("format"), QStringLiteral("Training prompt format (default: each spec's default)."), QStringLiteral("F")},
        {QStringLiteral("epochs"), QStringLiteral("Epochs, a list (default 3)."), QStringLiteral("LIST"), QStringLiteral("3")},
        {QStringLiteral("lr"), QStringLiteral("Learning rates, a list (default 2e-6)."), QStringLiteral("LIST"), QStringLiteral("2e-6")},
        {QStringLiteral("batch"), QStringLiteral("Effective batch sizes, a list (default 8)."), QStringLiteral("LIST"), QStringLiteral("8")},
        {QStringLiteral("max-length"), QStringLiteral("Max sequence lengths, a list (default 2048)."), QStringLiteral("LIST"), QStringLiteral("2048")},
        {QStringLiteral("seeds"), QStringLiteral("Seeds, a list (default 42)."), QStringLiteral("LIST"), QStringLiteral("42")},
        {QStringLiteral("warmup"), QStringLiteral("Warm-up ratio (default 0.03)."), QStringLiteral("R"), QStringLiteral("0.03")},
        {QStringLiteral("weight-decay"), QStringLiteral("AdamW weight decay (default 0)."), QStringLiteral("W"), QStringLiteral("0")},
        {QStringLiteral("micro-batch"), QStringLiteral("Examples per forward (default: the whole batch)."), QStringLiteral("N")},
        {QStringLiteral("train-limit"), QStringLiteral("Use the first N training examples."), QStringLiteral("N")},
        {QStringLiteral("eval"), QStringLiteral("Task specs of the evaluation suite, comma-separated."), QStringLiteral("SPECS")},
        {QStringLiteral("eval-formats"), QStringLiteral("Formats to evaluate, comma-separated, or * for all (default: the spec's)."),
         QStringLiteral("LIST")},
        {QStringLiteral("shots"), QStringLiteral("Shot counts of the evaluations (default 0)."), QStringLiteral("LIST"), QStringLiteral("0")},
        {QStringLiteral("eval-limit"), QStringLiteral("Evaluate the first N items of each task."), QStringLiteral("N")},
        {QStringLiteral("no-base"), QStringLiteral("Do not evaluate the base checkpoints.")},
        {QStringLiteral("no-save"), QStringLiteral("Do not keep the fine-tuned weights.")},
        {QStringLiteral("gradient-checkpointing"), QStringLiteral("Recompute layers in backward: less memory, more time.")},
        {QStringLiteral("device"), QStringLiteral("Run on this device only (default: any executor)."), QStringLiteral("DEVICE")},
        {QStringLiteral("dry-run"), QStringLiteral("Show the plan and its estimate, queue nothing.")},
        {QStringLiteral("verbose"), QStringLiteral("List every run.")},
    });
}

Outcome<RunPlanRequest> requestFromFile(const QString& file, const QVector<CheckpointInfo>& known)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return Outcome<RunPlanRequest>::failure(QStringLiteral("plan: cannot read %1: %2").arg(file, f.errorString()));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return Outcome<RunPlanRequest>::failure(QStringLiteral("%1: offset %2: %3").arg(file).arg(error.offset).arg(error.errorString()));
    return RunPlanRequest::fromJson(doc.object(), known, file);
}

// The grid from the flags; a failure is a usage error (exit code 2).
Outcome<RunPlanRequest> requestFromFlags(const QCommandLineParser& parser, const QVector<CheckpointInfo>& known)
{
    using Out = Outcome<RunPlanRequest>;
    RunPlanRequest request;
    if (!parser.isSet(QStringLiteral("checkpoints")))
        return Out::failure(QStringLiteral("plan: give --checkpoints (or a --plan file)"));
    const auto checkpoints = checkpointsFromFlag(known, parser.value(QStringLiteral("checkpoints")));
    if (!checkpoints)
        return Out::failure(checkpoints.error());
    request.checkpoints = checkpoints.value();
    request.grid.taskSpecs = parser.value(QStringLiteral("finetune")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    request.grid.format = parser.value(QStringLiteral("format"));
    const auto epochs = intList(parser.value(QStringLiteral("epochs")));
    const auto rates = listOption<double>(parser.value(QStringLiteral("lr")), [](const QString& s, bool* ok) { return s.toDouble(ok); });
    const auto batches = intList(parser.value(QStringLiteral("batch")));
    const auto lengths = intList(parser.value(QStringLiteral("max-length")));
    const auto seeds = intList(parser.value(QStringLiteral("seeds")), true);
    const auto shots = intList(parser.value(QStringLiteral("shots")), true);
    if (!epochs || !rates || !batches || !lengths || !seeds || !shots)
        return Out::failure(QStringLiteral("plan: --epochs, --lr, --batch, --max-length, --seeds and --shots take comma-separated "
                                           "positive numbers (seeds and shots may be 0)"));
    request.grid.epochs = *epochs;
    request.grid.learningRates = *rates;
    request.grid.batchSizes = *batches;
    request.grid.maxLengths = *lengths;
    request.grid.seeds = *seeds;
    bool okWarmup = false, okDecay = false;
    request.grid.warmupRatio = parser.value(QStringLiteral("warmup")).toDouble(&okWarmup);
    request.grid.weightDecay = parser.value(QStringLiteral("weight-decay")).toDouble(&okDecay);
    if (!okWarmup || !okDecay || request.grid.warmupRatio < 0 || request.grid.warmupRatio > 1 || request.grid.weightDecay < 0)
        return Out::failure(QStringLiteral("plan: --warmup takes a ratio in [0, 1] and --weight-decay a number >= 0"));
    const auto micro = positiveOption(parser, QStringLiteral("micro-batch"), 0);
    const auto trainLimit = positiveOption(parser, QStringLiteral("train-limit"), 0);
    const auto evalLimit = positiveOption(parser, QStringLiteral("eval-limit"), 0);
    if (!micro || !trainLimit || !evalLimit)
        return Out::failure(QStringLiteral("plan: --micro-batch, --train-limit and --eval-limit need positive whole numbers"));
    request.grid.microBatch = *micro;
    request.grid.trainLimit = *trainLimit;
    request.grid.saveWeights = !parser.isSet(QStringLiteral("no-save"));
    request.grid.gradientCheckpointing = parser.isSet(QStringLiteral("gradient-checkpointing"));
    const QStringList formats = parser.value(QStringLiteral("eval-formats")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const QString& spec : parser.value(QStringLiteral("eval")).split(QLatin1Char(','), Qt::SkipEmptyParts))
        request.evaluations << EvalSuiteRequest{spec, formats, *shots, *evalLimit};
    request.evaluateBase = !parser.isSet(QStringLiteral("no-base"));
    request.device = parser.value(QStringLiteral("device"));
    return request;
}

void printEstimate(const PlanEstimate& estimate, bool verbose)
{
    if (verbose)
        for (const PlannedRun& run : estimate.runs)
            print(QStringLiteral("  %1 %2%3").arg(run.skipped ? QStringLiteral("skip") : QStringLiteral("new "), run.spec.title(),
                                                  run.trainTokens > 0 ? QStringLiteral("  (%1 tokens)").arg(run.trainTokens) : QString()));
    for (const QString& w : estimate.warnings)
        print(QStringLiteral("warning: %1").arg(w));
    print(estimate.summary());
}

} // namespace

int runPlan(const QStringList& arguments)
{
    QCommandLineParser parser;
    addPlanOptions(parser);
    if (!parser.parse(QStringList{QStringLiteral("plan")} + arguments))
        return fail(parser.errorText(), 2);
    if (!parser.isSet(QStringLiteral("project")))
        return fail(QStringLiteral("plan: --project is required"), 2);
    const auto opened = openProjectSnapshot(parser.value(QStringLiteral("project")));
    if (!opened)
        return fail(opened.error());
    const QVector<CheckpointInfo>& known = opened->snapshot.checkpoints;

    const bool fromFile = parser.isSet(QStringLiteral("plan"));
    auto parsed = fromFile ? requestFromFile(parser.value(QStringLiteral("plan")), known) : requestFromFlags(parser, known);
    if (!parsed)
        return fail(parsed.error(), fromFile ? 1 : 2);
    RunPlanRequest request = parsed.value();
    if (parser.isSet(QStringLiteral("name")))
        request.name = parser.value(QStringLiteral("name"));
    if (request.name.isEmpty())
        request.name = QStringLiteral("plan");

    const auto estimate = estimatePlan(opened->project, request);
    if (!estimate)
        return fail(estimate.error());
    printEstimate(estimate.value(), parser.isSet(QStringLiteral("verbose")));
    if (parser.isSet(QStringLiteral("dry-run")))
        return 0;
    const auto queued = queuePlan(opened->project, request, estimate.value());
    if (!queued)
        return fail(queued.error());
    print(QStringLiteral("queued %1 run(s); run them with: ckptlab-cli run --project %2").arg(queued.value()).arg(parser.value(QStringLiteral("project"))));
    return 0;
}

} // namespace ckptlab::cli
