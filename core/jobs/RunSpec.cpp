#include "jobs/RunSpec.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace ckptlab {

namespace {

QJsonArray toArray(const QStringList& list)
{
    QJsonArray a;
    for (const QString& s : list)
        a.append(s);
    return a;
}

QJsonArray toArray(const QVector<int>& list)
{
    QJsonArray a;
    for (int v : list)
        a.append(v);
    return a;
}

QStringList stringsOf(const QJsonValue& v)
{
    QStringList out;
    for (const QJsonValue& item : v.toArray())
        out << item.toString();
    return out;
}

QVector<int> intsOf(const QJsonValue& v, QVector<int> fallback)
{
    if (!v.isArray())
        return fallback;
    QVector<int> out;
    for (const QJsonValue& item : v.toArray())
        out << item.toInt();
    return out;
}

QString checkpointName(const CheckpointInfo& c)
{
    if (c.step && !c.isFinal)
        return QStringLiteral("%1 step%2").arg(c.series).arg(*c.step);
    return QStringLiteral("%1 %2").arg(c.series, c.label);
}

} // namespace

RecipeInfo FineTuneSettings::recipe() const
{
    RecipeInfo r;
    r.ftTask = taskName;
    r.epochs = epochs;
    r.learningRate = learningRate;
    r.batchSize = batchSize;
    r.maxLength = maxLength;
    r.seed = seed;
    // Settings that change the model but have no column; defaults stay out so that recipes
    // imported from the study's tables and recipes trained here with its settings coincide.
    QJsonObject extra;
    if (!format.isEmpty() && format != QLatin1String("default"))
        extra.insert(QStringLiteral("format"), format);
    if (warmupRatio != 0.03)
        extra.insert(QStringLiteral("warmup_ratio"), warmupRatio);
    if (weightDecay != 0.0)
        extra.insert(QStringLiteral("weight_decay"), weightDecay);
    if (trainLimit > 0)
        extra.insert(QStringLiteral("train_limit"), trainLimit);
    r.extraJson = QString::fromUtf8(QJsonDocument(extra).toJson(QJsonDocument::Compact));
    return r;
}

QJsonObject fineTuneSettingsToJson(const FineTuneSettings& s)
{
    return QJsonObject{{"task", s.taskName},
                       {"spec", s.specPath},
                       {"format", s.format},
                       {"epochs", s.epochs},
                       {"learning_rate", s.learningRate},
                       {"batch_size", s.batchSize},
                       {"micro_batch", s.microBatch},
                       {"warmup_ratio", s.warmupRatio},
                       {"weight_decay", s.weightDecay},
                       {"max_length", s.maxLength},
                       {"seed", s.seed},
                       {"train_limit", s.trainLimit},
                       {"save_weights", s.saveWeights},
                       {"save_state_every", s.saveStateEverySteps},
                       {"gradient_checkpointing", s.gradientCheckpointing}};
}

FineTuneSettings fineTuneSettingsFromJson(const QJsonObject& j)
{
    FineTuneSettings s;
    s.taskName = j.value("task").toString();
    s.specPath = j.value("spec").toString();
    s.format = j.value("format").toString();
    s.epochs = j.value("epochs").toInt(s.epochs);
    s.learningRate = j.value("learning_rate").toDouble(s.learningRate);
    s.batchSize = j.value("batch_size").toInt(s.batchSize);
    s.microBatch = j.value("micro_batch").toInt(s.microBatch);
    s.warmupRatio = j.value("warmup_ratio").toDouble(s.warmupRatio);
    s.weightDecay = j.value("weight_decay").toDouble(s.weightDecay);
    s.maxLength = j.value("max_length").toInt(s.maxLength);
    s.seed = j.value("seed").toInt(s.seed);
    s.trainLimit = qint64(j.value("train_limit").toDouble(0));
    s.saveWeights = j.value("save_weights").toBool(s.saveWeights);
    s.saveStateEverySteps = j.value("save_state_every").toInt(s.saveStateEverySteps);
    s.gradientCheckpointing = j.value("gradient_checkpointing").toBool(false);
    return s;
}

QJsonObject evalSuiteEntryToJson(const EvalSuiteEntry& e)
{
    return QJsonObject{{"task", e.taskName}, {"spec", e.specPath}, {"formats", toArray(e.formats)},
                       {"shots", toArray(e.shots)}, {"limit", e.limit}};
}

EvalSuiteEntry evalSuiteEntryFromJson(const QJsonObject& j)
{
    EvalSuiteEntry e;
    e.taskName = j.value("task").toString();
    e.specPath = j.value("spec").toString();
    e.formats = stringsOf(j.value("formats"));
    e.shots = intsOf(j.value("shots"), {0});
    e.limit = qint64(j.value("limit").toDouble(0));
    return e;
}

RunKind RunSpec::kind() const
{
    return fineTune ? RunKind::FineTune : RunKind::Evaluate;
}

QString RunSpec::title() const
{
    if (fineTune)
        return QStringLiteral("%1 · %2").arg(checkpointName(checkpoint), fineTune->recipe().label());
    return QStringLiteral("%1 · base model evaluation").arg(checkpointName(checkpoint));
}

QString RunSpec::key() const
{
    QStringList evals;
    for (const EvalSuiteEntry& e : evaluations) {
        QStringList shots;
        for (int s : e.shots)
            shots << QString::number(s);
        evals << QStringLiteral("%1[%2|%3|%4]").arg(e.taskName, e.formats.join(QLatin1Char(',')), shots.join(QLatin1Char(',')))
                     .arg(e.limit);
    }
    evals.sort();
    return QStringList{toStorageText(kind()), checkpoint.series, checkpoint.label, fineTune ? fineTune->recipe().key() : QString(),
                       evals.join(QLatin1Char(';')), dtype}
        .join(QLatin1Char('#'));
}

int RunSpec::evaluationCount() const
{
    int n = 0;
    for (const EvalSuiteEntry& e : evaluations)
        n += int(std::max<qsizetype>(1, e.formats.size()) * e.shots.size());
    return n;
}

QJsonObject RunSpec::toJson() const
{
    QJsonObject c{{"series", checkpoint.series}, {"label", checkpoint.label}, {"path", checkpoint.path},
                  {"is_final", checkpoint.isFinal}};
    if (checkpoint.step)
        c.insert("step", double(*checkpoint.step));
    if (checkpoint.tokens)
        c.insert("tokens", *checkpoint.tokens);
    QJsonArray evals;
    for (const EvalSuiteEntry& e : evaluations)
        evals.append(evalSuiteEntryToJson(e));
    QJsonObject out{{"checkpoint", c}, {"evaluations", evals}, {"dtype", dtype}};
    if (fineTune)
        out.insert("finetune", fineTuneSettingsToJson(*fineTune));
    return out;
}

Outcome<RunSpec> RunSpec::fromJson(const QJsonObject& json, const QString& source)
{
    RunSpec spec;
    const QJsonObject c = json.value("checkpoint").toObject();
    spec.checkpoint.series = c.value("series").toString();
    spec.checkpoint.label = c.value("label").toString();
    spec.checkpoint.path = c.value("path").toString();
    spec.checkpoint.isFinal = c.value("is_final").toBool();
    if (c.contains("step"))
        spec.checkpoint.step = qint64(c.value("step").toDouble());
    if (c.contains("tokens"))
        spec.checkpoint.tokens = c.value("tokens").toDouble();
    if (spec.checkpoint.series.isEmpty() || spec.checkpoint.path.isEmpty())
        return Outcome<RunSpec>::failure(QStringLiteral("%1: the run names no checkpoint folder (checkpoint.series and "
                                                        "checkpoint.path are required)").arg(source));
    if (json.contains("finetune")) {
        spec.fineTune = fineTuneSettingsFromJson(json.value("finetune").toObject());
        if (spec.fineTune->specPath.isEmpty())
            return Outcome<RunSpec>::failure(QStringLiteral("%1: finetune.spec (the task spec file) is missing").arg(source));
    }
    for (const QJsonValue& e : json.value("evaluations").toArray())
        spec.evaluations.push_back(evalSuiteEntryFromJson(e.toObject()));
    spec.dtype = json.value("dtype").toString(spec.dtype);
    return spec;
}

} // namespace ckptlab
