#include "jobs/EvalResultWriter.h"

#include "engine/eval/EvalTypes.h"
#include "engine/eval/TaskSpec.h"

namespace ckptlab {

Status writeEvalResult(ProjectWriter& writer, RowId checkpointId, RowId recipeId, const QString& modelRef,
                       const engine::TaskSpec& spec, const engine::EvalResult& result, int* written)
{
    const QString task = QString::fromStdString(spec.name);
    const QString kind = QString::fromStdString(result.kind);
    const QString primary = result.metrics.empty() ? QString() : QString::fromStdString(result.metrics.front().name);
    if (auto t = writer.task(task, primary, kind); !t)
        return Status::failure(t.error());
    for (size_t m = 0; m < result.metrics.size(); ++m) {
        const engine::MetricSummary& metric = result.metrics[m];
        NewResult r;
        r.checkpointId = checkpointId;
        r.recipeId = recipeId;
        r.task = task;
        r.format = QString::fromStdString(result.format);
        r.shots = result.shots;
        r.metric = QString::fromStdString(metric.name);
        r.value = metric.mean;
        r.stderr_ = metric.standardError;
        r.n = int(metric.n);
        r.modelRef = modelRef;
        r.source = QStringLiteral("computed");
        if (auto w = writer.result(r); !w)
            return Status::failure(w.error());
        ++*written;
        QVector<PredictionRow> rows;
        rows.reserve(int(result.predictions.size()));
        for (const engine::EvalPrediction& p : result.predictions)
            rows.push_back({int(p.index), QString::fromStdString(p.promptHash), QString::fromStdString(p.output),
                            m < p.scores.size() ? p.scores[m] : kNoValue});
        if (Status s = writer.predictions(writer.lastResultId(), rows); !s)
            return s;
    }
    return success();
}

} // namespace ckptlab
