#pragma once

// One finished evaluation as plain values (what results.json of a run folder holds), and
// writing it into the project: a result per metric and the predictions behind each, for a base
// checkpoint or a fine-tuned model, inside the caller's transaction.

#include "common/Outcome.h"
#include "project/ProjectWriter.h"

#include <QJsonObject>
#include <QString>
#include <QVector>

namespace ckptlab {

namespace engine {
struct EvalResult;
struct TaskSpec;
} // namespace engine

struct MetricValue {
    QString name;
    double mean = 0.0;
    double stderr_ = 0.0;
    qint64 n = 0;
};

struct PredictionValue {
    int index = 0;
    QString promptHash;
    QString output;
    QVector<double> scores;   // one per metric, in the evaluation's metric order
};

struct EvaluationValues {
    QString task;             // the task spec's name
    QString kind;             // classification, multiple_choice, generation
    QString format;
    int shots = 0;
    QVector<MetricValue> metrics;   // the primary metric first
    QVector<PredictionValue> predictions;

    QJsonObject toJson() const;
    static Outcome<EvaluationValues> fromJson(const QJsonObject& json, const QString& where);
};

EvaluationValues evaluationValues(const engine::TaskSpec& spec, const engine::EvalResult& result);

Status writeEvaluation(ProjectWriter& writer, RowId checkpointId, RowId recipeId, const QString& modelRef,
                       const EvaluationValues& evaluation, int* written);

} // namespace ckptlab
