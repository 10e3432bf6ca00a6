#include "analysis/ChangeSupport.h"

#include <algorithm>
#include <cmath>

namespace ckptlab::analysis_detail {

BaseAndTuned splitBaseAndTuned(const ResultSnapshot& snapshot, const RowPtrs& rows, const QString& metric,
                               const QString& series, const QSet<RowId>* recipes)
{
    BaseAndTuned split;
    for (const ResultRow* row : rows) {
        if (row->metric != metric)
            continue;
        const bool isBase = row->recipeId == kBaseRecipe;
        if (!isBase && (!snapshot.recipe(row->recipeId) || (recipes && !recipes->contains(row->recipeId))))
            continue;
        if (!checkpointInSeries(snapshot, row->checkpointId, series))
            continue;
        keepLowestId(isBase ? split.base : split.tuned[row->recipeId], row->checkpointId, row);
    }
    return split;
}

ChangePoint makeChangePoint(const CheckpointInfo& checkpoint, const ResultRow& base, const ResultRow& tuned)
{
    ChangePoint p;
    p.checkpointId = checkpoint.id;
    p.checkpointLabel = checkpointDisplayLabel(checkpoint);
    p.step = checkpoint.step;
    p.tokens = checkpoint.tokens;
    p.base = base.value;
    p.tuned = tuned.value;
    p.change = tuned.value - base.value;
    p.ratio = base.value == 0.0 ? kNoValue : p.change / base.value;
    if (base.hasStderr() && tuned.hasStderr())
        p.stderr_ = std::sqrt(base.stderr_ * base.stderr_ + tuned.stderr_ * tuned.stderr_);
    p.ratioStderr = base.value == 0.0 ? kNoValue : p.stderr_ / std::fabs(base.value);
    p.modelRef = tuned.modelRef;
    p.baseResultId = base.id;
    p.tunedResultId = tuned.id;
    return p;
}

QHash<QString, QVector<ChangePoint>> changePointsBySeries(const ResultSnapshot& snapshot,
                                                          const QHash<RowId, const ResultRow*>& base,
                                                          const QHash<RowId, const ResultRow*>& tuned)
{
    QHash<QString, QVector<const CheckpointInfo*>> checkpoints;
    for (auto it = tuned.cbegin(); it != tuned.cend(); ++it) {
        if (!base.contains(it.key()))
            continue; // no base value: no change to show, never a made-up one
        if (const CheckpointInfo* cp = snapshot.checkpoint(it.key()))
            checkpoints[cp->series].append(cp);
    }
    QHash<QString, QVector<ChangePoint>> bySeries;
    for (auto it = checkpoints.begin(); it != checkpoints.end(); ++it) {
        std::sort(it->begin(), it->end(),
                  [](const CheckpointInfo* a, const CheckpointInfo* b) { return checkpointOrderBefore(*a, *b); });
        QVector<ChangePoint>& points = bySeries[it.key()];
        for (const CheckpointInfo* cp : *it)
            points.append(makeChangePoint(*cp, *base.value(cp->id), *tuned.value(cp->id)));
    }
    return bySeries;
}

void placeOnAxis(QVector<ChangeSeries>& series, const CheckpointAxis& axis)
{
    const QHash<RowId, int> positions = axisPositions(axis);
    for (ChangeSeries& s : series)
        for (ChangePoint& p : s.points)
            p.index = positions.value(p.checkpointId, -1);
}

} // namespace ckptlab::analysis_detail
