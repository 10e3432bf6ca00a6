#pragma once

// The shared categorical x axis of a chart: every checkpoint that has a plotted point.

#include "project/ProjectTypes.h"

#include <QSet>
#include <QStringList>

namespace ckptlab {

struct CheckpointAxis {
    // In checkpointBefore order (series, then step, final last; ties by id).
    QVector<RowId> checkpointIds;
    // The checkpoint's label ("342000", "main"); "olmo1b · 342000" when the axis spans
    // several checkpoint series.
    QStringList labels;

    int indexOf(RowId checkpointId) const; // -1 when not on the axis
    int size() const { return checkpointIds.size(); }
};

// checkpointBefore, with ties (two finals, equal steps) broken by id so order is total.
bool checkpointOrderBefore(const CheckpointInfo& a, const CheckpointInfo& b);

// The checkpoint's own label, else its step, else "final" / "#id".
QString checkpointDisplayLabel(const CheckpointInfo& checkpoint);

// Ids missing from the snapshot are left off.
CheckpointAxis buildCheckpointAxis(const ResultSnapshot& snapshot, const QSet<RowId>& checkpointIds);

// checkpoint id -> position, for placing many points without a scan each.
QHash<RowId, int> axisPositions(const CheckpointAxis& axis);

} // namespace ckptlab
