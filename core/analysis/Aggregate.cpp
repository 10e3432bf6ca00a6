#include "analysis/Aggregate.h"

#include "analysis/ChangeSupport.h"

#include <algorithm>
#include <cmath>

namespace ckptlab {

using namespace analysis_detail;

namespace {

// checkpoint id -> the change (or ratio) of every pair present there, pairs in query order.
QHash<RowId, QVector<double>> changesByCheckpoint(const ResultSnapshot& snapshot, const AggregateQuery& query)
{
    QVector<QPair<RowId, RowId>> pairs; // task id, recipe id
    QSet<RowId> taskIds;
    for (const TaskRecipePair& p : query.pairs) {
        const TaskInfo* task = snapshot.taskByName(p.task);
        if (!task || p.recipeId == kBaseRecipe || !snapshot.recipe(p.recipeId))
            continue;
        const QPair<RowId, RowId> key(task->id, p.recipeId);
        if (!pairs.contains(key))
            pairs.append(key);
        taskIds.insert(task->id);
    }

    QHash<RowId, QVector<double>> byCheckpoint;
    if (pairs.isEmpty())
        return byCheckpoint;
    const QSet<RowId> formatIds = formatIdsNamed(snapshot, {query.format});
    const QHash<RowId, RowPtrs> byTask = rowsByTask(snapshot, &taskIds, query.shots, &formatIds);
    QHash<RowId, BaseAndTuned> splits;
    for (auto t = byTask.cbegin(); t != byTask.cend(); ++t) {
        const QString metric = resolveMetricAmong(*snapshot.task(t.key()), *t, {});
        splits.insert(t.key(), splitBaseAndTuned(snapshot, *t, metric, query.series, nullptr));
    }

    for (const auto& [taskId, recipeId] : pairs) {
        const BaseAndTuned split = splits.value(taskId);
        const auto bySeries = changePointsBySeries(snapshot, split.base, split.tuned.value(recipeId));
        for (const QVector<ChangePoint>& changes : bySeries) {
            for (const ChangePoint& c : changes) {
                const double v = query.ratio ? c.ratio : c.change;
                if (!std::isnan(v))
                    byCheckpoint[c.checkpointId].append(v);
            }
        }
    }
    return byCheckpoint;
}

} // namespace

AggregateResult aggregateChange(const ResultSnapshot& snapshot, const AggregateQuery& query)
{
    const QHash<RowId, QVector<double>> byCheckpoint = changesByCheckpoint(snapshot, query);
    AggregateResult result;
    QSet<RowId> ids;
    for (auto it = byCheckpoint.cbegin(); it != byCheckpoint.cend(); ++it)
        ids.insert(it.key());
    result.axis = buildCheckpointAxis(snapshot, ids);
    for (int i = 0; i < result.axis.size(); ++i) {
        const CheckpointInfo* cp = snapshot.checkpoint(result.axis.checkpointIds[i]);
        AggregatePoint p;
        p.checkpointId = cp->id;
        p.checkpointLabel = checkpointDisplayLabel(*cp);
        p.step = cp->step;
        p.index = i;
        p.interval = bootstrapMean(byCheckpoint.value(cp->id), query.confidence, query.resamples, query.seed);
        result.points.append(p);
    }
    return result;
}

BootstrapInterval pooledChange(const ResultSnapshot& snapshot, const AggregateQuery& query)
{
    const QHash<RowId, QVector<double>> byCheckpoint = changesByCheckpoint(snapshot, query);
    // Pool in axis order: the resampling draws by position, so the order must not depend on
    // hash iteration for the result to be deterministic.
    QSet<RowId> ids;
    for (auto it = byCheckpoint.cbegin(); it != byCheckpoint.cend(); ++it)
        ids.insert(it.key());
    const CheckpointAxis axis = buildCheckpointAxis(snapshot, ids);
    QVector<double> pooled;
    for (RowId id : axis.checkpointIds)
        pooled += byCheckpoint.value(id);
    return bootstrapMean(pooled, query.confidence, query.resamples, query.seed);
}

} // namespace ckptlab
