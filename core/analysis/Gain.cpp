#include "analysis/Gain.h"

#include "analysis/ChangeSupport.h"

#include <algorithm>

namespace ckptlab {

using namespace analysis_detail;

QVector<GainPoint> computeGain(const ResultSnapshot& snapshot, const ResultSelection& selection)
{
    QVector<GainPoint> points;
    QSet<RowId> taskIds;
    if (!selection.task.isEmpty()) {
        const TaskInfo* task = snapshot.taskByName(selection.task);
        if (!task)
            return points;
        taskIds.insert(task->id);
    }
    const QSet<RowId> formatIds = formatIdsNamed(snapshot, {selection.format});
    const QHash<RowId, RowPtrs> byTask =
        rowsByTask(snapshot, taskIds.isEmpty() ? nullptr : &taskIds, selection.shots, &formatIds);
    QSet<RowId> recipes = selectedRecipeIds(snapshot, selection.ftTasks);
    recipes.remove(kBaseRecipe);

    for (auto t = byTask.cbegin(); t != byTask.cend(); ++t) {
        const TaskInfo* task = snapshot.task(t.key());
        if (!task)
            continue;
        const QString metric = resolveMetricAmong(*task, *t, selection.metric);
        const BaseAndTuned split = splitBaseAndTuned(snapshot, *t, metric, selection.series, &recipes);
        for (auto r = split.tuned.cbegin(); r != split.tuned.cend(); ++r) {
            const auto bySeries = changePointsBySeries(snapshot, split.base, *r);
            for (const QVector<ChangePoint>& changes : bySeries) {
                for (const ChangePoint& c : changes) {
                    GainPoint g;
                    g.checkpointId = c.checkpointId;
                    g.checkpointLabel = c.checkpointLabel;
                    g.recipeId = r.key();
                    g.task = task->name;
                    g.base = c.base;
                    g.change = c.change;
                    g.metric = metric;
                    points.append(g);
                }
            }
        }
    }

    QVector<RowId> recipeIds;
    for (const GainPoint& g : points)
        if (!recipeIds.contains(g.recipeId))
            recipeIds.append(g.recipeId);
    const QHash<RowId, QString> names = recipeNames(snapshot, recipeIds);
    for (GainPoint& g : points)
        g.recipeName = names.value(g.recipeId);

    // Rank recipes once; labels are too costly to build inside the comparison.
    std::sort(recipeIds.begin(), recipeIds.end(), [&](RowId a, RowId b) { return recipeBefore(snapshot, a, b); });
    QHash<RowId, int> recipeRank;
    for (int i = 0; i < recipeIds.size(); ++i)
        recipeRank.insert(recipeIds[i], i);

    std::sort(points.begin(), points.end(), [&](const GainPoint& a, const GainPoint& b) {
        if (a.recipeId != b.recipeId)
            return recipeRank.value(a.recipeId) < recipeRank.value(b.recipeId);
        if (a.task != b.task)
            return a.task < b.task;
        return checkpointOrderBefore(*snapshot.checkpoint(a.checkpointId), *snapshot.checkpoint(b.checkpointId));
    });
    return points;
}

} // namespace ckptlab
