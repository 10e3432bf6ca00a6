#pragma once

// Building blocks shared by the analyses: picking rows, resolving the metric, naming and
// ordering lines. Internal to core/analysis; the UI uses the analysis headers instead.

#include "project/ProjectTypes.h"

#include <QHash>
#include <QPair>
#include <QSet>
#include <QStringList>

namespace ckptlab::analysis_detail {

using RowPtrs = QVector<const ResultRow*>;

// Ids of every prompt format with one of these names (formats belong to a task, so several
// ids share a name).
QSet<RowId> formatIdsNamed(const ResultSnapshot& snapshot, const QStringList& names);

// Rows of the given tasks (nullptr: every task) at `shots` in the given formats (nullptr: any
// format), grouped by task id, each group in snapshot order. One pass over the results.
QHash<RowId, RowPtrs> rowsByTask(const ResultSnapshot& snapshot, const QSet<RowId>* taskIds, int shots,
                                 const QSet<RowId>* formatIds);
RowPtrs rowsOfTask(const ResultSnapshot& snapshot, RowId taskId, int shots, const QSet<RowId>* formatIds);

// ResultSelection::metric's rule over these rows; empty when there are none.
QString resolveMetricAmong(const TaskInfo& task, const RowPtrs& rows, const QString& chosen);

// kBaseRecipe and the recipe ids that pass recipeSelected().
QSet<RowId> selectedRecipeIds(const ResultSnapshot& snapshot, const QStringList& ftTasks);

// The checkpoint when it exists and belongs to `series` (empty: any series), else nullptr.
const CheckpointInfo* checkpointInSeries(const ResultSnapshot& snapshot, RowId checkpointId,
                                         const QString& series);

// Results are unique on their key; should a snapshot hold duplicates anyway, the lowest
// result id wins so that the output never depends on load order.
void keepLowestId(QHash<RowId, const ResultRow*>& byKey, RowId key, const ResultRow* row);

// One plotted line: a recipe on one checkpoint series.
using LineKey = QPair<RowId, QString>;

// Base first, then recipes by label, then by id.
bool recipeBefore(const ResultSnapshot& snapshot, RowId a, RowId b);
// Recipe order, then checkpoint series.
void sortLines(const ResultSnapshot& snapshot, QVector<LineKey>& lines);

// "base", or the ft task ("mnli"), or recipe.label() when two of the recipes share an ft
// task; prefixed "olmo1b · " when the lines span more than one checkpoint series.
QHash<LineKey, QString> lineNames(const ResultSnapshot& snapshot, const QVector<LineKey>& lines);
// The same naming without the series prefix.
QHash<RowId, QString> recipeNames(const ResultSnapshot& snapshot, const QVector<RowId>& recipeIds);

QString joinName(const QString& a, const QString& b); // "a · b"

double meanOf(const QVector<double>& values);          // NaN when empty
double sampleStddevOf(const QVector<double>& values);  // ddof = 1; NaN below two values

} // namespace ckptlab::analysis_detail
