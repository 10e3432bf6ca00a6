#include "jobs/RunPlanner.h"

#include "jobs/GridValues.h"
#include "jobs/RunDirectory.h"

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
    const auto at = [&](const QString& key) { return QStringLiteral("%1: finetune.%2").arg(source, key); };
    const auto epochs = gridIntsFromJson(GridSetting::Epochs, ft.value("epochs"), r.grid.epochs, at("epochs"));
    const auto rates = gridDoublesFromJson(GridSetting::LearningRate, ft.value("learning_rates"), r.grid.learningRates,
                                           at("learning_rates"));
    const auto batches = gridIntsFromJson(GridSetting::BatchSize, ft.value("batch_sizes"), r.grid.batchSizes, at("batch_sizes"));
    const auto lengths = gridIntsFromJson(GridSetting::MaxLength, ft.value("max_lengths"), r.grid.maxLengths, at("max_lengths"));
    const auto seeds = gridIntsFromJson(GridSetting::Seed, ft.value("seeds"), r.grid.seeds, at("seeds"));
    for (const QString& error : {epochs.error(), rates.error(), batches.error(), lengths.error(), seeds.error()})
        if (!error.isEmpty())
            return Out::failure(error);
    r.grid.epochs = epochs.value();
    r.grid.learningRates = rates.value();
    r.grid.batchSizes = batches.value();
    r.grid.maxLengths = lengths.value();
    r.grid.seeds = seeds.value();
    r.grid.warmupRatio = ft.value("warmup_ratio").toDouble(r.grid.warmupRatio);
    r.grid.weightDecay = ft.value("weight_decay").toDouble(r.grid.weightDecay);
    r.grid.microBatch = ft.value("micro_batch").toInt(r.grid.microBatch);
    r.grid.trainLimit = qint64(ft.value("train_limit").toDouble(0));
    r.grid.saveWeights = ft.value("save_weights").toBool(true);
    r.grid.gradientCheckpointing = ft.value("gradient_checkpointing").toBool(false);
    const QJsonArray evaluations = json.value("evaluations").toArray();
    for (int i = 0; i < evaluations.size(); ++i) {
        const QJsonObject o = evaluations[i].toObject();
        EvalSuiteRequest e;
        e.specPath = resolvePath(o.value("spec").toString(), baseDir);
        e.formats = stringList(o.value("formats"));
        const auto shots = gridIntsFromJson(GridSetting::Shots, o.value("shots"), e.shots,
                                            QStringLiteral("%1: evaluations[%2].shots").arg(source).arg(i));
        if (!shots)
            return Out::failure(shots.error());
        e.shots = shots.value();
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

namespace {

// The grid of one plan request expanded into runs with their estimates, in named steps.
class PlanEstimation {
public:
    PlanEstimation(const Project& project, const RunPlanRequest& request, const std::atomic<bool>* cancel)
        : m_project(project), m_request(request), m_cancel(cancel),
          m_device(request.device.isEmpty() ? QStringLiteral("cpu") : request.device)
    {
    }

    Outcome<PlanEstimate> estimate()
    {
        using Out = Outcome<PlanEstimate>;
        if (m_request.checkpoints.isEmpty())
            return Out::failure(QStringLiteral("The plan has no checkpoints: pick at least one scanned checkpoint."));
        if (m_request.grid.taskSpecs.isEmpty() && m_request.evaluations.isEmpty())
            return Out::failure(QStringLiteral("The plan has nothing to do: pick a fine-tuning task or an evaluation."));
        try {
            if (Status s = readSpecs(); !s)
                return Out::failure(s.error());
            RunStore store(m_project.database());
            const auto active = store.activeKeys();
            if (!active)
                return Out::failure(active.error());
            m_estimate.deviceBytes = m_device == QLatin1String("cpu") ? physicalMemory() : 0;
            readMeasuredRate(store);
            for (const CheckpointInfo& checkpoint : m_request.checkpoints) {
                if (m_cancel && m_cancel->load())
                    return Out::failure(QStringLiteral("Planning was cancelled."));
                addRunsOf(checkpoint);
            }
            total(active.value());
        } catch (const std::exception& e) {
            return Out::failure(QString::fromStdString(e.what()));
        }
        return m_estimate;
    }

private:
    const engine::TaskSpec& specOf(const QString& path)
    {
        auto it = m_specs.find(path);
        if (it == m_specs.end())
            it = m_specs.emplace(path, engine::parseTaskSpec(path.toStdString())).first;
        return it->second;
    }

    // Every spec is read first: a wrong file fails the plan before anything is queued.
    Status readSpecs()
    {
        for (const QString& path : m_request.grid.taskSpecs) {
            const engine::TaskSpec& spec = specOf(path);
            if (spec.trainFile.empty())
                return Status::failure(QStringLiteral("%1: the task has no \"train\" file, so it cannot be fine-tuned on").arg(path));
            if (!m_request.grid.format.isEmpty() && !spec.formats.count(m_request.grid.format.toStdString()))
                return Status::failure(QStringLiteral("%1: the task has no prompt format \"%2\"").arg(path, m_request.grid.format));
        }
        for (const EvalSuiteRequest& e : m_request.evaluations) {
            const engine::TaskSpec& spec = specOf(e.specPath);
            if (spec.evalFile.empty())
                return Status::failure(QStringLiteral("%1: the task has no \"eval\" file").arg(e.specPath));
            EvalSuiteEntry entry{QString::fromStdString(spec.name), e.specPath, e.formats, e.shots, e.limit};
            if (entry.formats == QStringList{QStringLiteral("*")}) {
                entry.formats.clear();
                for (const std::string& f : spec.formatNames())
                    entry.formats << QString::fromStdString(f);
            }
            for (const QString& f : entry.formats)
                if (!spec.formats.count(f.toStdString()))
                    return Status::failure(QStringLiteral("%1: the task has no prompt format \"%2\"").arg(e.specPath, f));
            m_suite << entry;
        }
        return success();
    }

    // Measured speed on this device: parameters x tokens per second of recent runs.
    void readMeasuredRate(const RunStore& store)
    {
        const auto rates = store.measuredParameterTokenRates(m_device);
        if (!rates || rates->isEmpty())
            return;
        QVector<double> sorted = rates.value();
        std::sort(sorted.begin(), sorted.end());
        m_rate = sorted[sorted.size() / 2];
        m_estimate.speedSource = QStringLiteral("from %1 finished run(s) on %2").arg(sorted.size()).arg(m_device);
    }

    // Without finished runs, the speed comes from the device's measured matrix-product peak.
    double rate()
    {
        if (m_rate > 0.0)
            return m_rate;
        const double peak = engine::measureMatmulPeakFlops(m_device.toStdString(), 0.2);
        m_rate = peak * kAssumedUtilisation / 6.0;
        m_estimate.speedSource = QStringLiteral("from the measured matrix-product speed of %1 (%2 GFLOP/s), assuming %3% of it")
                                     .arg(m_device)
                                     .arg(peak / 1e9, 0, 'f', 0)
                                     .arg(qRound(kAssumedUtilisation * 100));
        return m_rate;
    }

    void addRunsOf(const CheckpointInfo& checkpoint)
    {
        if (checkpoint.path.isEmpty()) {
            m_estimate.warnings << QStringLiteral("%1 %2 has no folder (it only appears in imported results): skipped")
                                       .arg(checkpoint.series, checkpoint.label);
            return;
        }
        const std::string tokenizer = engine::findTokenizerFolder(checkpoint.path.toStdString());
        if (tokenizer.empty()) {
            m_estimate.warnings << QStringLiteral("%1: no tokenizer.json in the folder or its parent: skipped").arg(checkpoint.path);
            return;
        }
        if (m_request.evaluateBase && !m_suite.isEmpty()) {
            PlannedRun base;
            base.spec.checkpoint = checkpoint;
            base.spec.evaluations = m_suite;
            base.spec.dtype = m_request.dtype;
            m_estimate.runs << base;
        }
        for (const FineTuneSettings& settings : fineTuneGrid()) {
            PlannedRun run;
            run.spec.checkpoint = checkpoint;
            run.spec.fineTune = settings;
            run.spec.evaluations = m_suite;
            run.spec.dtype = QStringLiteral("fp32"); // training runs in fp32 (bf16 autocast on CUDA)
            estimateTraining(run, tokenizer);
            m_estimate.runs << run;
        }
    }

    // Task specs x epochs x learning rates x batch sizes x max lengths x seeds.
    QVector<FineTuneSettings> fineTuneGrid()
    {
        const FineTuneGrid& g = m_request.grid;
        QVector<FineTuneSettings> out;
        for (const QString& specPath : g.taskSpecs)
            for (int epochs : g.epochs)
                for (double lr : g.learningRates)
                    for (int batch : g.batchSizes)
                        for (int maxLength : g.maxLengths)
                            for (int seed : g.seeds) {
                                FineTuneSettings s;
                                s.taskName = QString::fromStdString(specOf(specPath).name);
                                s.specPath = specPath;
                                s.format = g.format;
                                s.epochs = epochs;
                                s.learningRate = lr;
                                s.batchSize = batch;
                                s.microBatch = g.microBatch;
                                s.warmupRatio = g.warmupRatio;
                                s.weightDecay = g.weightDecay;
                                s.maxLength = maxLength;
                                s.seed = seed;
                                s.trainLimit = g.trainLimit;
                                s.saveWeights = g.saveWeights;
                                s.gradientCheckpointing = g.gradientCheckpointing;
                                out << s;
                            }
        return out;
    }

    // Training tokens (tokenized for real, once per spec, tokenizer and length), peak memory
    // (config.json read once per checkpoint and shape) and time.
    void estimateTraining(PlannedRun& run, const std::string& tokenizer)
    {
        const FineTuneSettings& s = *run.spec.fineTune;
        const QString sizeKey = QStringLiteral("%1|%2|%3|%4").arg(s.specPath, QString::fromStdString(tokenizer)).arg(s.maxLength).arg(s.format);
        if (!m_dataSizes.contains(sizeKey))
            m_dataSizes.insert(sizeKey, engine::measureTrainData(specOf(s.specPath), s.format.toStdString(), tokenizer,
                                                                 s.maxLength, s.trainLimit));
        const engine::TrainDataSize size = m_dataSizes.value(sizeKey);
        run.trainTokens = size.tokens * s.epochs;
        const int micro = s.microBatch > 0 ? std::min(s.microBatch, s.batchSize) : s.batchSize;
        const QString path = run.spec.checkpoint.path;
        const QString footprintKey = QStringLiteral("%1|%2|%3|%4").arg(path).arg(micro).arg(size.longest).arg(s.gradientCheckpointing);
        if (!m_footprints.contains(footprintKey))
            m_footprints.insert(footprintKey, engine::estimateTrainingMemory(path.toStdString(), micro, size.longest,
                                                                             s.gradientCheckpointing));
        const engine::TrainFootprint f = m_footprints.value(footprintKey);
        run.peakBytes = f.total();
        run.seconds = double(f.parameters) * double(run.trainTokens) / rate();
    }

    // Work already planned or done is skipped by key; the rest is summed up.
    void total(QSet<QString> seen)
    {
        for (PlannedRun& run : m_estimate.runs) {
            const QString key = run.spec.key();
            run.skipped = seen.contains(key);
            seen.insert(key);
            if (run.skipped) {
                ++m_estimate.skippedRuns;
                continue;
            }
            ++m_estimate.newRuns;
            m_estimate.trainTokens += run.trainTokens;
            m_estimate.seconds += std::max(0.0, run.seconds);
            m_estimate.peakBytes = std::max(m_estimate.peakBytes, run.peakBytes);
            if (m_estimate.deviceBytes > 0 && run.peakBytes > m_estimate.deviceBytes)
                m_estimate.warnings << QStringLiteral("%1 needs about %2 but %3 has %4: it will not fit")
                                           .arg(run.spec.title(), humanBytes(run.peakBytes), m_device, humanBytes(m_estimate.deviceBytes));
        }
    }

    const Project& m_project;
    const RunPlanRequest& m_request;
    const std::atomic<bool>* m_cancel;
    QString m_device;
    std::map<QString, engine::TaskSpec> m_specs;
    QVector<EvalSuiteEntry> m_suite;
    PlanEstimate m_estimate;
    double m_rate = 0.0;
    QHash<QString, engine::TrainDataSize> m_dataSizes;
    QHash<QString, engine::TrainFootprint> m_footprints;
};

} // namespace

Outcome<PlanEstimate> estimatePlan(const Project& project, const RunPlanRequest& request, const std::atomic<bool>* cancel)
{
    return PlanEstimation(project, request, cancel).estimate();
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
    // Each run's folder gets its spec.json now: it is what a worker (here or on a cluster) reads.
    // The runs are queued already; a folder that cannot be written now gets its spec.json when
    // the run is executed here (jobs/RunExecutor.cpp), which reports the error then.
    if (const auto queued = store.runs())
        for (const RunRecord& run : queued.value())
            if (run.planId == plan.value())
                if (const auto spec = RunSpec::fromJson(QJsonDocument::fromJson(run.spec.toUtf8()).object(), run.title))
                    writeRunSpec(runDirectory(project, run.id), RunDirectorySpec{run.id, run.title, spec.value()});
    return int(runs.size());
}

} // namespace ckptlab
