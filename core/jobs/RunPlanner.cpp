#include "jobs/RunPlanner.h"

#include "common/HumanUnits.h"

#include "engine/DevicePeak.h"
#include "engine/LoadedCheckpoint.h"
#include "engine/eval/TaskSpec.h"
#include "engine/train/TrainEstimate.h"
#include "project/RunStore.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <map>
#include <unistd.h>

namespace ckptlab {

namespace {

// A planner without history assumes this fraction of the matrix-product peak for training.
constexpr double kAssumedUtilisation = 0.3;

template <typename T>
QJsonArray arrayOf(const QVector<T>& values)
{
    QJsonArray a;
    for (const T& v : values)
        a.append(v);
    return a;
}

QJsonArray arrayOf(const QStringList& values)
{
    QJsonArray a;
    for (const QString& v : values)
        a.append(v);
    return a;
}

QVector<int> intList(const QJsonValue& v, const QVector<int>& fallback)
{
    if (v.isDouble())
        return {v.toInt()};
    if (!v.isArray())
        return fallback;
    QVector<int> out;
    for (const QJsonValue& x : v.toArray())
        out << x.toInt();
    return out;
}

QVector<double> doubleList(const QJsonValue& v, const QVector<double>& fallback)
{
    if (v.isDouble())
        return {v.toDouble()};
    if (!v.isArray())
        return fallback;
    QVector<double> out;
    for (const QJsonValue& x : v.toArray())
        out << x.toDouble();
    return out;
}

QStringList stringList(const QJsonValue& v)
{
    if (v.isString())
        return {v.toString()};
    QStringList out;
    for (const QJsonValue& x : v.toArray())
        out << x.toString();
    return out;
}

// Relative spec paths in a plan file are relative to the file.
QString resolvePath(const QString& path, const QString& baseDir)
{
    if (path.isEmpty() || QFileInfo(path).isAbsolute() || baseDir.isEmpty())
        return path;
    return QDir(baseDir).absoluteFilePath(path);
}

qint64 physicalMemory()
{
    const long pages = ::sysconf(_SC_PHYS_PAGES), size = ::sysconf(_SC_PAGESIZE);
    return pages > 0 && size > 0 ? qint64(pages) * size : 0;
}

} // namespace

QJsonObject RunPlanRequest::toJson() const
{
    QJsonArray checkpointList;
    for (const CheckpointInfo& c : checkpoints)
        checkpointList.append(c.path);
    QJsonObject ft{{"tasks", arrayOf(grid.taskSpecs)},
                   {"format", grid.format},
                   {"epochs", arrayOf(grid.epochs)},
                   {"learning_rates", arrayOf(grid.learningRates)},
                   {"batch_sizes", arrayOf(grid.batchSizes)},
                   {"max_lengths", arrayOf(grid.maxLengths)},
                   {"seeds", arrayOf(grid.seeds)},
                   {"warmup_ratio", grid.warmupRatio},
                   {"weight_decay", grid.weightDecay},
                   {"micro_batch", grid.microBatch},
                   {"train_limit", double(grid.trainLimit)},
                   {"save_weights", grid.saveWeights},
                   {"gradient_checkpointing", grid.gradientCheckpointing}};
    QJsonArray evals;
    for (const EvalSuiteRequest& e : evaluations)
        evals.append(QJsonObject{{"spec", e.specPath}, {"formats", arrayOf(e.formats)}, {"shots", arrayOf(e.shots)},
                                 {"limit", double(e.limit)}});
    return QJsonObject{{"name", name},         {"checkpoints", checkpointList}, {"finetune", ft},
                       {"evaluations", evals}, {"evaluate_base", evaluateBase}, {"device", device},
                       {"dtype", dtype}};
}

Outcome<RunPlanRequest> RunPlanRequest::fromJson(const QJsonObject& json, const QVector<CheckpointInfo>& known,
                                                 const QString& source)
{
    using Out = Outcome<RunPlanRequest>;
    static const QSet<QString> keys{"name", "checkpoints", "finetune", "evaluations", "evaluate_base", "device", "dtype"};
    for (auto it = json.begin(); it != json.end(); ++it)
        if (!keys.contains(it.key()))
            return Out::failure(QStringLiteral("%1: unknown key \"%2\" (known: %3)")
                                    .arg(source, it.key(), QStringList(keys.values()).join(QStringLiteral(", "))));
    const QString baseDir = QFileInfo(source).exists() ? QFileInfo(source).absolutePath() : QString();
    RunPlanRequest r;
    r.name = json.value("name").toString(QFileInfo(source).completeBaseName());
    r.evaluateBase = json.value("evaluate_base").toBool(true);
    r.device = json.value("device").toString();
    r.dtype = json.value("dtype").toString(r.dtype);

    const QJsonArray checkpoints = json.value("checkpoints").toArray();
    for (int i = 0; i < checkpoints.size(); ++i) {
        const QJsonValue v = checkpoints[i];
        QVector<CheckpointInfo> picked;
        if (v.isString()) {
            const QString path = QDir::cleanPath(resolvePath(v.toString(), baseDir));
            for (const CheckpointInfo& c : known)
                if (!c.path.isEmpty() && QDir::cleanPath(c.path) == path)
                    picked << c;
            if (picked.isEmpty())
                return Out::failure(QStringLiteral("%1: checkpoints[%2]: \"%3\" is not a scanned checkpoint of this project "
                                                   "(scan its folder first)").arg(source).arg(i).arg(v.toString()));
        } else {
            const QJsonObject o = v.toObject();
            const QJsonArray steps = o.value("steps").toArray();
            picked = selectCheckpoints(known, o.value("series").toString(), steps.size() > 0 ? qint64(steps[0].toDouble()) : 0,
                                       steps.size() > 1 ? qint64(steps[1].toDouble()) : -1);
            if (picked.isEmpty())
                return Out::failure(QStringLiteral("%1: checkpoints[%2]: no scanned checkpoint of series \"%3\" in that step range")
                                        .arg(source).arg(i).arg(o.value("series").toString()));
        }
        r.checkpoints += picked;
    }
    const QJsonObject ft = json.value("finetune").toObject();
    for (const QString& spec : stringList(ft.value("tasks")))
        r.grid.taskSpecs << resolvePath(spec, baseDir);
    r.grid.format = ft.value("format").toString();
    r.grid.epochs = intList(ft.value("epochs"), r.grid.epochs);
    r.grid.learningRates = doubleList(ft.value("learning_rates"), r.grid.learningRates);
    r.grid.batchSizes = intList(ft.value("batch_sizes"), r.grid.batchSizes);
    r.grid.maxLengths = intList(ft.value("max_lengths"), r.grid.maxLengths);
    r.grid.seeds = intList(ft.value("seeds"), r.grid.seeds);
    r.grid.warmupRatio = ft.value("warmup_ratio").toDouble(r.grid.warmupRatio);
    r.grid.weightDecay = ft.value("weight_decay").toDouble(r.grid.weightDecay);
    r.grid.microBatch = ft.value("micro_batch").toInt(r.grid.microBatch);
    r.grid.trainLimit = qint64(ft.value("train_limit").toDouble(0));
    r.grid.saveWeights = ft.value("save_weights").toBool(true);
    r.grid.gradientCheckpointing = ft.value("gradient_checkpointing").toBool(false);
    for (const QJsonValue& v : json.value("evaluations").toArray()) {
        const QJsonObject o = v.toObject();
        EvalSuiteRequest e;
        e.specPath = resolvePath(o.value("spec").toString(), baseDir);
        e.formats = stringList(o.value("formats"));
        e.shots = intList(o.value("shots"), e.shots);
        e.limit = qint64(o.value("limit").toDouble(0));
        r.evaluations << e;
    }
    return r;
}

QVector<CheckpointInfo> selectCheckpoints(const QVector<CheckpointInfo>& known, const QString& series, qint64 fromStep,
                                          qint64 toStep)
{
    QVector<CheckpointInfo> out;
    for (const CheckpointInfo& c : known) {
        if (c.path.isEmpty() || (!series.isEmpty() && c.series != series))
            continue;
        const qint64 step = c.step.value_or(c.isFinal ? std::numeric_limits<qint64>::max() : 0);
        if (step < fromStep || (toStep >= 0 && step > toStep))
            continue;
        out << c;
    }
    std::sort(out.begin(), out.end(), checkpointBefore);
    return out;
}

QString PlanEstimate::summary() const
{
    QString text = QStringLiteral("%1 new run(s)").arg(newRuns);
    if (skippedRuns > 0)
        text += QStringLiteral(", %1 already planned or done (skipped)").arg(skippedRuns);
    text += QStringLiteral("; %1 training tokens").arg(trainTokens);
    if (seconds > 0)
        text += QStringLiteral("; about %1 of training (%2)").arg(humanDuration(seconds), speedSource);
    if (peakBytes > 0)
        text += QStringLiteral("; peak memory per run up to %1").arg(humanBytes(peakBytes));
    if (deviceBytes > 0)
        text += QStringLiteral(" of %1").arg(humanBytes(deviceBytes));
    return text;
}

Outcome<PlanEstimate> estimatePlan(const Project& project, const RunPlanRequest& request, const std::atomic<bool>* cancel)
{
    using Out = Outcome<PlanEstimate>;
    if (request.checkpoints.isEmpty())
        return Out::failure(QStringLiteral("The plan has no checkpoints: pick at least one scanned checkpoint."));
    if (request.grid.taskSpecs.isEmpty() && request.evaluations.isEmpty())
        return Out::failure(QStringLiteral("The plan has nothing to do: pick a fine-tuning task or an evaluation."));

    // Read every spec first: a wrong file fails the plan before anything is queued.
    std::map<QString, engine::TaskSpec> specs;
    const auto specOf = [&](const QString& path) -> const engine::TaskSpec& {
        auto it = specs.find(path);
        if (it == specs.end())
            it = specs.emplace(path, engine::parseTaskSpec(path.toStdString())).first;
        return it->second;
    };
    QVector<EvalSuiteEntry> suite;
    try {
        for (const QString& path : request.grid.taskSpecs) {
            const engine::TaskSpec& spec = specOf(path);
            if (spec.trainFile.empty())
                return Out::failure(QStringLiteral("%1: the task has no \"train\" file, so it cannot be fine-tuned on").arg(path));
            if (!request.grid.format.isEmpty() && !spec.formats.count(request.grid.format.toStdString()))
                return Out::failure(QStringLiteral("%1: the task has no prompt format \"%2\"").arg(path, request.grid.format));
        }
        for (const EvalSuiteRequest& e : request.evaluations) {
            const engine::TaskSpec& spec = specOf(e.specPath);
            if (spec.evalFile.empty())
                return Out::failure(QStringLiteral("%1: the task has no \"eval\" file").arg(e.specPath));
            EvalSuiteEntry entry{QString::fromStdString(spec.name), e.specPath, e.formats, e.shots, e.limit};
            if (entry.formats == QStringList{QStringLiteral("*")}) {
                entry.formats.clear();
                for (const std::string& f : spec.formatNames())
                    entry.formats << QString::fromStdString(f);
            }
            for (const QString& f : entry.formats)
                if (!spec.formats.count(f.toStdString()))
                    return Out::failure(QStringLiteral("%1: the task has no prompt format \"%2\"").arg(e.specPath, f));
            suite << entry;
        }
    } catch (const std::exception& e) {
        return Out::failure(QString::fromStdString(e.what()));
    }

    RunStore store(project.database());
    const auto active = store.activeKeys();
    if (!active)
        return Out::failure(active.error());

    PlanEstimate estimate;
    const QString device = request.device.isEmpty() ? QStringLiteral("cpu") : request.device;
    estimate.deviceBytes = device == QLatin1String("cpu") ? physicalMemory() : 0;

    // Measured speed on this device: parameters x tokens per second of recent runs.
    double rate = 0.0;
    if (const auto rates = store.measuredParameterTokenRates(device); rates && !rates->isEmpty()) {
        QVector<double> sorted = rates.value();
        std::sort(sorted.begin(), sorted.end());
        rate = sorted[sorted.size() / 2];
        estimate.speedSource = QStringLiteral("from %1 finished run(s) on %2").arg(sorted.size()).arg(device);
    }

    QHash<QString, engine::TrainDataSize> dataSizes; // (spec, tokenizer, max length) -> size
    QHash<QString, engine::TrainFootprint> footprints; // config.json read once per checkpoint and shape
    for (const CheckpointInfo& checkpoint : request.checkpoints) {
        if (cancel && cancel->load())
            return Out::failure(QStringLiteral("Planning was cancelled."));
        if (checkpoint.path.isEmpty()) {
            estimate.warnings << QStringLiteral("%1 %2 has no folder (it only appears in imported results): skipped")
                                     .arg(checkpoint.series, checkpoint.label);
            continue;
        }
        const std::string tokenizer = engine::findTokenizerFolder(checkpoint.path.toStdString());
        if (tokenizer.empty()) {
            estimate.warnings << QStringLiteral("%1: no tokenizer.json in the folder or its parent: skipped").arg(checkpoint.path);
            continue;
        }
        if (request.evaluateBase && !suite.isEmpty()) {
            PlannedRun base;
            base.spec.checkpoint = checkpoint;
            base.spec.evaluations = suite;
            base.spec.dtype = request.dtype;
            estimate.runs << base;
        }
        for (const QString& specPath : request.grid.taskSpecs) {
            const engine::TaskSpec& spec = specOf(specPath);
            for (int epochs : request.grid.epochs)
                for (double lr : request.grid.learningRates)
                    for (int batch : request.grid.batchSizes)
                        for (int maxLength : request.grid.maxLengths)
                            for (int seed : request.grid.seeds) {
                                FineTuneSettings s;
                                s.taskName = QString::fromStdString(spec.name);
                                s.specPath = specPath;
                                s.format = request.grid.format;
                                s.epochs = epochs;
                                s.learningRate = lr;
                                s.batchSize = batch;
                                s.microBatch = request.grid.microBatch;
                                s.warmupRatio = request.grid.warmupRatio;
                                s.weightDecay = request.grid.weightDecay;
                                s.maxLength = maxLength;
                                s.seed = seed;
                                s.trainLimit = request.grid.trainLimit;
                                s.saveWeights = request.grid.saveWeights;
                                s.gradientCheckpointing = request.grid.gradientCheckpointing;
                                PlannedRun run;
                                run.spec.checkpoint = checkpoint;
                                run.spec.fineTune = s;
                                run.spec.evaluations = suite;
                                run.spec.dtype = QStringLiteral("fp32"); // training runs in fp32 (bf16 autocast on CUDA)
                                try {
                                    const QString sizeKey = QStringLiteral("%1|%2|%3|%4")
                                                                .arg(specPath, QString::fromStdString(tokenizer))
                                                                .arg(maxLength)
                                                                .arg(s.format);
                                    if (!dataSizes.contains(sizeKey))
                                        dataSizes.insert(sizeKey, engine::measureTrainData(spec, s.format.toStdString(), tokenizer,
                                                                                           maxLength, s.trainLimit));
                                    const engine::TrainDataSize size = dataSizes.value(sizeKey);
                                    run.trainTokens = size.tokens * epochs;
                                    const int micro = s.microBatch > 0 ? std::min(s.microBatch, batch) : batch;
                                    const QString footprintKey = QStringLiteral("%1|%2|%3|%4")
                                                                     .arg(checkpoint.path)
                                                                     .arg(micro)
                                                                     .arg(size.longest)
                                                                     .arg(s.gradientCheckpointing);
                                    if (!footprints.contains(footprintKey))
                                        footprints.insert(footprintKey, engine::estimateTrainingMemory(
                                                                            checkpoint.path.toStdString(), micro,
                                                                            size.longest, s.gradientCheckpointing));
                                    const engine::TrainFootprint f = footprints.value(footprintKey);
                                    run.peakBytes = f.total();
                                    if (rate <= 0.0) {
                                        const double peak = engine::measureMatmulPeakFlops(device.toStdString(), 0.2);
                                        rate = peak * kAssumedUtilisation / 6.0;
                                        estimate.speedSource =
                                            QStringLiteral("from the measured matrix-product speed of %1 (%2 GFLOP/s), "
                                                           "assuming %3% of it")
                                                .arg(device)
                                                .arg(peak / 1e9, 0, 'f', 0)
                                                .arg(qRound(kAssumedUtilisation * 100));
                                    }
                                    run.seconds = double(f.parameters) * double(run.trainTokens) / rate;
                                } catch (const std::exception& e) {
                                    return Out::failure(QString::fromStdString(e.what()));
                                }
                                estimate.runs << run;
                            }
        }
    }

    QSet<QString> seen = active.value();
    for (PlannedRun& run : estimate.runs) {
        const QString key = run.spec.key();
        run.skipped = seen.contains(key);
        seen.insert(key);
        if (run.skipped) {
            ++estimate.skippedRuns;
            continue;
        }
        ++estimate.newRuns;
        estimate.trainTokens += run.trainTokens;
        estimate.seconds += std::max(0.0, run.seconds);
        estimate.peakBytes = std::max(estimate.peakBytes, run.peakBytes);
        if (estimate.deviceBytes > 0 && run.peakBytes > estimate.deviceBytes)
            estimate.warnings << QStringLiteral("%1 needs about %2 but %3 has %4: it will not fit")
                                     .arg(run.spec.title(), humanBytes(run.peakBytes), device, humanBytes(estimate.deviceBytes));
    }
    return estimate;
}

Outcome<int> queuePlan(const Project& project, const RunPlanRequest& request, const PlanEstimate& estimate)
{
    QVector<NewRun> runs;
    for (const PlannedRun& run : estimate.runs) {
        if (run.skipped)
            continue;
        runs << NewRun{run.spec.kind(), 0, run.spec.title(), run.spec.key(),
                       QString::fromUtf8(QJsonDocument(run.spec.toJson()).toJson(QJsonDocument::Compact)), request.device};
    }
    if (runs.isEmpty())
        return 0;
    RunStore store(project.database());
    const auto plan = store.addPlan(request.name.isEmpty() ? QStringLiteral("plan") : request.name,
                                    QString::fromUtf8(QJsonDocument(request.toJson()).toJson(QJsonDocument::Compact)), runs);
    if (!plan)
        return Outcome<int>::failure(plan.error());
    return int(runs.size());
}

} // namespace ckptlab
