#pragma once

// Prompt sensitivity: for a model and task, the spread of the value across prompt formats,
// across checkpoints, base and fine-tuned side by side.

#include "analysis/Trajectory.h"

#include <QPair>

namespace ckptlab {

struct SensitivityPoint {
    RowId checkpointId = 0;
    QString checkpointLabel;
    std::optional<qint64> step;
    std::optional<double> tokens;
    int index = -1;
    int formatCount = 0;
    double mean = kNoValue;
    double stddev = kNoValue;     // sample std (ddof = 1); NaN when formatCount < 2
    double range = kNoValue;      // max - min (0 for a single format)
    QVector<QPair<QString, double>> valuesByFormat; // in SensitivityResult::formats order, present ones only
};

struct SensitivitySeries {
    RowId recipeId = kBaseRecipe;
    QString checkpointSeries;
    QString name;                 // as TrajectorySeries::name
    QVector<SensitivityPoint> points;
};

struct SensitivityResult {
    QString metric;
    QStringList formats;
    CheckpointAxis axis;
    QVector<SensitivitySeries> series; // base first, then recipes by label
};

// Uses selection.task/shots/metric/ftTasks/series and ignores selection.format. formats =
// every format with a plotted value, alphabetically (or `onlyFormats`, in its order, if
// non-empty). The metric is resolved over the task's rows in all (or only those) formats.
SensitivityResult computeSensitivity(const ResultSnapshot& snapshot, const ResultSelection& selection,
                                     const QStringList& onlyFormats = {});

// The six-line view of the study's figure 5: one TrajectorySeries per (recipe x format),
// named "base · instruct" (line name, then format), recipes in trajectory order, formats
// as in computeSensitivity.
Trajectory computeFormatTrajectories(const ResultSnapshot& snapshot, const ResultSelection& selection,
                                     const QStringList& onlyFormats = {});

} // namespace ckptlab
