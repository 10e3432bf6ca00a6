#pragma once

// What an analysis looks at: the selection a chart or a CLI command describes.

#include "project/ProjectTypes.h"

#include <QStringList>

namespace ckptlab {

struct ResultSelection {
    QString task;                  // eval task name (required)
    QString format = QStringLiteral("default"); // prompt format name
    int shots = 0;
    // Empty: the task's TaskInfo::metric if set and present, else the single metric present;
    // with several metrics present and none preferred, the first in alphabetical order.
    QString metric;
    QStringList ftTasks;           // recipes by fine-tuning task; "base" = kBaseRecipe; empty = base + all recipes
    QString series;                // checkpoint series; empty = all series
};

// The metric actually used for the selection's task, format and shots (rule above).
// Empty when the task has no rows at that format and shots.
QString resolveMetric(const ResultSnapshot& snapshot, const ResultSelection& selection);

// True if the recipe passes ftTasks ("base" matches kBaseRecipe). A recipe id that is not
// in the snapshot never passes: there is nothing to name it by.
bool recipeSelected(const ResultSnapshot& snapshot, RowId recipeId, const QStringList& ftTasks);

} // namespace ckptlab
