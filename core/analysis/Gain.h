#pragma once

// Fine-tuning gain scatter: base value against change, one point per task and checkpoint.

#include "analysis/AnalysisQuery.h"

namespace ckptlab {

struct GainPoint {
    RowId checkpointId = 0;
    QString checkpointLabel;
    RowId recipeId = 0;
    QString recipeName;   // the ft task, or the recipe label when two plotted recipes share it
    QString task;
    double base = 0.0;
    double change = 0.0;
    QString metric;
};

// For every selected non-base recipe and every eval task (selection.task empty: all tasks,
// else only that one) with both a base and a tuned value at the same checkpoint, format and
// shots; each task's metric resolved as in resolveMetric(). Ordered by recipe (by label),
// task name, then checkpoint.
QVector<GainPoint> computeGain(const ResultSnapshot& snapshot, const ResultSelection& selection);

} // namespace ckptlab
