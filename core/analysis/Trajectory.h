#pragma once

// Trajectory: an eval task's value against the pre-training checkpoint, one line per recipe
// (base model included). Missing points are gaps, never zeros.

#include "analysis/AnalysisQuery.h"
#include "analysis/CheckpointAxis.h"

#include <optional>

namespace ckptlab {

struct TrajectoryPoint {
    RowId checkpointId = 0;
    RowId resultId = 0;
    QString checkpointLabel;
    std::optional<qint64> step;
    std::optional<double> tokens;
    int index = -1;               // position on the shared categorical axis
    double value = 0.0;
    double stderr_ = kNoValue;    // NaN if unknown
    int n = -1;
    QString modelRef;
};

struct TrajectorySeries {
    RowId recipeId = kBaseRecipe;
    QString checkpointSeries;
    // "base", or the ft task name ("mnli"); recipe.label() ("mnli (3 ep, 2e-6)") when two
    // plotted recipes share an ft task; prefixed "olmo1b · " only when more than one
    // checkpoint series is plotted.
    QString name;
    QVector<TrajectoryPoint> points; // in checkpoint order, missing checkpoints absent
};

struct Trajectory {
    QString metric;
    CheckpointAxis axis;
    QVector<TrajectorySeries> series; // base first, then recipes by label
};

Trajectory computeTrajectory(const ResultSnapshot& snapshot, const ResultSelection& selection);

namespace analysis_detail {
// One line's points from its rows keyed by checkpoint id, placed on the axis, in axis order.
// Shared with the per-format trajectories.
QVector<TrajectoryPoint> trajectoryPoints(const ResultSnapshot& snapshot,
                                          const QHash<RowId, const ResultRow*>& rowsByCheckpoint,
                                          const QHash<RowId, int>& axisPositions);
} // namespace analysis_detail

} // namespace ckptlab
