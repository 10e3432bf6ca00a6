#include "jobs/EvalCells.h"

#include "engine/LoadedCheckpoint.h"
#include "engine/eval/TaskSpec.h"

namespace ckptlab {

QVector<EvalCell> evalCells(const QStringList& formats, const QVector<int>& shots, const QString& defaultFormat)
{
    QVector<EvalCell> cells;
    for (const QString& format : formats.isEmpty() ? QStringList{defaultFormat} : formats)
        for (int k : shots)
            cells.push_back({format, k});
    return cells;
}

engine::EvalResult evaluateCell(engine::LoadedCheckpoint& model, const engine::TaskSpec& spec, const EvalCell& cell,
                                qint64 limit, int batchSize, const std::function<void(const EvalCellProgress&)>& progress,
                                const std::atomic<bool>* cancel)
{
    engine::EvalRequest request;
    request.format = cell.format.toStdString();
    request.shots = cell.shots;
    request.limit = limit;
    request.batchSize = batchSize;
    return model.evaluate(spec, request, [&](const engine::EvalProgress& p) {
        if (progress)
            progress(EvalCellProgress{p.done, p.total, p.itemsPerSecond});
    }, cancel);
}

} // namespace ckptlab
