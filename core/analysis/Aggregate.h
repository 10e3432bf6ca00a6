#pragma once

// Aggregates: means of change over groups of (task, recipe) pairs per checkpoint, with
// bootstrap confidence intervals (the study's figures 4 and 6).

#include "analysis/Bootstrap.h"
#include "analysis/CheckpointAxis.h"

#include <optional>

namespace ckptlab {

struct TaskRecipePair {
    QString task;
    RowId recipeId = 0;
};

struct AggregateQuery {
    QVector<TaskRecipePair> pairs;   // repeated pairs count once
    QString format = QStringLiteral("default");
    int shots = 0;
    bool ratio = false;              // change / base instead of change; pairs with base == 0 left out
    double confidence = 0.90;
    int resamples = 2000;
    quint64 seed = 42;               // every checkpoint uses this seed, so each interval can be
                                     // reproduced alone with bootstrapMean()
    QString series;                  // checkpoint series; empty = all
};

struct AggregatePoint {
    RowId checkpointId = 0;
    QString checkpointLabel;
    std::optional<qint64> step;
    int index = -1;
    BootstrapInterval interval;      // over the pairs present at this checkpoint
};

struct AggregateResult {
    CheckpointAxis axis;
    QVector<AggregatePoint> points;  // in axis order, one per checkpoint with >= 1 pair present
};

// Each pair's task in its own resolved metric (as resolveMetric() with no metric chosen).
AggregateResult aggregateChange(const ResultSnapshot& snapshot, const AggregateQuery& query);

// Pooled over all checkpoints (figure 6's bars): one interval over every (pair, checkpoint) change.
BootstrapInterval pooledChange(const ResultSnapshot& snapshot, const AggregateQuery& query);

} // namespace ckptlab
