#include "analysis/Trajectory.h"

#include "analysis/AnalysisSupport.h"

#include <algorithm>

namespace ckptlab {

namespace analysis_detail {

QVector<TrajectoryPoint> trajectoryPoints(const ResultSnapshot& snapshot,
                                          const QHash<RowId, const ResultRow*>& rowsByCheckpoint,
                                          const QHash<RowId, int>& axisPositions)
{
    QVector<TrajectoryPoint> points;
    points.reserve(rowsByCheckpoint.size());
    for (auto it = rowsByCheckpoint.cbegin(); it != rowsByCheckpoint.cend(); ++it) {
        const CheckpointInfo* cp = snapshot.checkpoint(it.key());
        const ResultRow& row = **it;
        if (!cp)
            continue;
        TrajectoryPoint p;
        p.checkpointId = cp->id;
        p.resultId = row.id;
        p.checkpointLabel = checkpointDisplayLabel(*cp);
        p.step = cp->step;
        p.tokens = cp->tokens;
        p.index = axisPositions.value(cp->id, -1);
        p.value = row.value;
        p.stderr_ = row.stderr_;
        p.n = row.n;
        p.modelRef = row.modelRef;
        points.append(p);
    }
    std::sort(points.begin(), points.end(),
              [](const TrajectoryPoint& a, const TrajectoryPoint& b) { return a.index < b.index; });
    return points;
}

} // namespace analysis_detail

using namespace analysis_detail;

Trajectory computeTrajectory(const ResultSnapshot& snapshot, const ResultSelection& selection)
{
    Trajectory trajectory;
    const TaskInfo* task = snapshot.taskByName(selection.task);
    if (!task)
        return trajectory;
    const QSet<RowId> formatIds = formatIdsNamed(snapshot, {selection.format});
    const RowPtrs rows = rowsOfTask(snapshot, task->id, selection.shots, &formatIds);
    trajectory.metric = resolveMetricAmong(*task, rows, selection.metric);

    const QSet<RowId> recipes = selectedRecipeIds(snapshot, selection.ftTasks);
    QHash<LineKey, QHash<RowId, const ResultRow*>> byLine;
    QSet<RowId> plotted;
    for (const ResultRow* row : rows) {
        if (row->metric != trajectory.metric || !recipes.contains(row->recipeId))
            continue;
        const CheckpointInfo* cp = checkpointInSeries(snapshot, row->checkpointId, selection.series);
        if (!cp)
            continue;
        keepLowestId(byLine[LineKey(row->recipeId, cp->series)], cp->id, row);
        plotted.insert(cp->id);
    }

    trajectory.axis = buildCheckpointAxis(snapshot, plotted);
    const QHash<RowId, int> positions = axisPositions(trajectory.axis);
    QVector<LineKey> lines = byLine.keys();
    sortLines(snapshot, lines);
    const QHash<LineKey, QString> names = lineNames(snapshot, lines);
    for (const LineKey& line : lines) {
        TrajectorySeries s;
        s.recipeId = line.first;
        s.checkpointSeries = line.second;
        s.name = names.value(line);
        s.points = trajectoryPoints(snapshot, byLine.value(line), positions);
        trajectory.series.append(s);
    }
    return trajectory;
}

} // namespace ckptlab
