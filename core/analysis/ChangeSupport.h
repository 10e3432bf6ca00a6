#pragma once

// Pairing tuned results with their base result; shared by change, forgetting, gain and
// aggregates. Internal to core/analysis.

#include "analysis/AnalysisSupport.h"
#include "analysis/Change.h"

namespace ckptlab::analysis_detail {

struct BaseAndTuned {
    QHash<RowId, const ResultRow*> base;                 // by checkpoint
    QHash<RowId, QHash<RowId, const ResultRow*>> tuned;  // by recipe, then checkpoint
};

// Splits rows of one task (already at one format and shots) in `metric` on checkpoints of
// `series` (empty: any) into base rows and rows of `recipes` (nullptr: every recipe).
BaseAndTuned splitBaseAndTuned(const ResultSnapshot& snapshot, const RowPtrs& rows, const QString& metric,
                               const QString& series, const QSet<RowId>* recipes);

ChangePoint makeChangePoint(const CheckpointInfo& checkpoint, const ResultRow& base, const ResultRow& tuned);

// Change points of one recipe where both base and tuned exist, grouped by checkpoint
// series, each group in checkpoint order; index left at -1.
QHash<QString, QVector<ChangePoint>> changePointsBySeries(const ResultSnapshot& snapshot,
                                                          const QHash<RowId, const ResultRow*>& base,
                                                          const QHash<RowId, const ResultRow*>& tuned);

// Sets every point's index from the axis.
void placeOnAxis(QVector<ChangeSeries>& series, const CheckpointAxis& axis);

} // namespace ckptlab::analysis_detail
