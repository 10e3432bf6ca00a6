#pragma once

// Change (forgetting when negative): value(checkpoint + recipe, task) - value(checkpoint, task)
// at the same format, shots and metric. Change ratio = change / base value.

#include "analysis/AnalysisQuery.h"
#include "analysis/CheckpointAxis.h"

#include <optional>

namespace ckptlab {

struct ChangePoint {
    RowId checkpointId = 0;
    QString checkpointLabel;
    std::optional<qint64> step;
    std::optional<double> tokens;
    int index = -1;               // position on the shared categorical axis
    double base = 0.0;
    double tuned = 0.0;
    double change = 0.0;
    double ratio = kNoValue;      // change / base; NaN when base == 0
    double stderr_ = kNoValue;    // of change: sqrt(se_b^2 + se_t^2) when both known, else NaN
    double ratioStderr = kNoValue; // of ratio: stderr_ / |base|; NaN when either is unknown or base == 0
    QString modelRef;             // the tuned model's
    RowId baseResultId = 0;
    RowId tunedResultId = 0;
};

struct ChangeSeries {
    RowId recipeId = kBaseRecipe;
    QString checkpointSeries;
    QString name;                 // as TrajectorySeries::name; the eval task in a forgetting curve
    bool trainedOnTask = false;   // the eval task is in-domain for the recipe (isInDomain)
    QString metric;               // the metric the change is measured in
    QVector<ChangePoint> points;  // in checkpoint order
};

struct ChangeResult {
    QString metric;
    CheckpointAxis axis;
    QVector<ChangeSeries> series; // one per selected non-base recipe (and checkpoint series) having >= 1 point, by label
};

ChangeResult computeChange(const ResultSnapshot& snapshot, const ResultSelection& selection);

// In-domain: eval task == ft task, or starts with ft task + "_" (mnli -> mnli_matched), plus
// the study's pairs mnli -> mnli_matched / mnli_mismatched and xsum -> xlsum (and xlsum_*).
// Case-insensitive; an empty ft task is in-domain for nothing.
bool isInDomain(const QString& ftTask, const QString& evalTask);

// Forgetting curve: for one recipe, the change on every eval task it did NOT train on, at one
// format and shots; each task in its own resolved metric. One ChangeSeries per task (per task
// and checkpoint series when the recipe was applied to several series, then named
// "olmo1b · boolq"), ordered by name. Indexes refer to axisOf(the returned series).
QVector<ChangeSeries> computeForgetting(const ResultSnapshot& snapshot, RowId recipeId, const QString& format,
                                        int shots);

// The shared axis of every checkpoint with a point in these series.
CheckpointAxis axisOf(const ResultSnapshot& snapshot, const QVector<ChangeSeries>& series);

} // namespace ckptlab
