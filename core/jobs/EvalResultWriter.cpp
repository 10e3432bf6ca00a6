#include "jobs/EvalResultWriter.h"

#include "engine/eval/EvalTypes.h"
#include "engine/eval/TaskSpec.h"

#include <QJsonArray>

namespace ckptlab {

QJsonObject EvaluationValues::toJson() const
{
    QJsonArray metricArray;
    for (const MetricValue& m : metrics)
        metricArray.append(QJsonObject{{"name", m.name}, {"mean", m.mean}, {"stderr", m.stderr_}, {"n", double(m.n)}});
    QJsonArray predictionArray;
    for (const PredictionValue& p : predictions) {
        QJsonArray scores;
        for (double s : p.scores)
            scores.append(s);
        predictionArray.append(QJsonObject{{"index", p.index}, {"prompt_hash", p.promptHash}, {"output", p.output},
                                           {"scores", scores}});
    }
    return QJsonObject{{"task", task},     {"kind", kind},         {"format", format},
                       {"shots", shots},   {"metrics", metricArray}, {"predictions", predictionArray}};
}

Outcome<EvaluationValues> EvaluationValues::fromJson(const QJsonObject& json, const QString& where)
{
    using Out = Outcome<EvaluationValues>;
    EvaluationValues e;
    e.task = json.value("task").toString();
    e.kind = json.value("kind").toString();
    e.format = json.value("format").toString();
    e.shots = json.value("shots").toInt(-1);
    if (e.task.isEmpty() || e.format.isEmpty() || e.shots < 0)
        return Out::failure(QStringLiteral("%1: task, format and shots are required").arg(where));
    const QJsonArray metricArray = json.value("metrics").toArray();
    for (int i = 0; i < metricArray.size(); ++i) {
        const QJsonObject m = metricArray[i].toObject();
        if (m.value("name").toString().isEmpty() || !m.value("mean").isDouble())
            return Out::failure(QStringLiteral("%1: metrics[%2]: a name and a numeric mean are required").arg(where).arg(i));
        e.metrics << MetricValue{m.value("name").toString(), m.value("mean").toDouble(), m.value("stderr").toDouble(),
                                 qint64(m.value("n").toDouble())};
    }
    if (e.metrics.isEmpty())
        return Out::failure(QStringLiteral("%1: metrics: none").arg(where));
    for (const QJsonValue& v : json.value("predictions").toArray()) {
        const QJsonObject p = v.toObject();
        PredictionValue pv;
        pv.index = p.value("index").toInt();
        pv.promptHash = p.value("prompt_hash").toString();
        pv.output = p.value("output").toString();
        for (const QJsonValue& s : p.value("scores").toArray())
            pv.scores << s.toDouble();
        e.predictions << pv;
    }
    return e;
}

EvaluationValues evaluationValues(const engine::TaskSpec& spec, const engine::EvalResult& result)
{
    EvaluationValues e;
    e.task = QString::fromStdString(spec.name);
    e.kind = QString::fromStdString(result.kind);
    e.format = QString::fromStdString(result.format);
    e.shots = result.shots;
    for (const engine::MetricSummary& m : result.metrics)
        e.metrics << MetricValue{QString::fromStdString(m.name), m.mean, m.standardError, m.n};
    e.predictions.reserve(int(result.predictions.size()));
    for (const engine::EvalPrediction& p : result.predictions) {
        PredictionValue pv{int(p.index), QString::fromStdString(p.promptHash), QString::fromStdString(p.output), {}};
        pv.scores = QVector<double>(p.scores.begin(), p.scores.end());
        e.predictions << pv;
    }
    return e;
}

Status writeEvaluation(ProjectWriter& writer, RowId checkpointId, RowId recipeId, const QString& modelRef,
                       const EvaluationValues& evaluation, int* written)
{
    const QString primary = evaluation.metrics.isEmpty() ? QString() : evaluation.metrics.front().name;
    if (auto t = writer.task(evaluation.task, primary, evaluation.kind); !t)
        return Status::failure(t.error());
    for (int m = 0; m < evaluation.metrics.size(); ++m) {
        const MetricValue& metric = evaluation.metrics[m];
        NewResult r;
        r.checkpointId = checkpointId;
        r.recipeId = recipeId;
        r.task = evaluation.task;
        r.format = evaluation.format;
        r.shots = evaluation.shots;
        r.metric = metric.name;
        r.value = metric.mean;
        r.stderr_ = metric.stderr_;
        r.n = int(metric.n);
        r.modelRef = modelRef;
        r.source = QStringLiteral("computed");
        if (auto w = writer.result(r); !w)
            return Status::failure(w.error());
        ++*written;
        QVector<PredictionRow> rows;
        rows.reserve(evaluation.predictions.size());
        for (const PredictionValue& p : evaluation.predictions)
            rows.push_back({p.index, p.promptHash, p.output, m < p.scores.size() ? p.scores[m] : kNoValue});
        if (Status s = writer.predictions(writer.lastResultId(), rows); !s)
            return s;
    }
    return success();
}

} // namespace ckptlab
