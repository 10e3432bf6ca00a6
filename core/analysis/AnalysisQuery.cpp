#include "analysis/AnalysisQuery.h"

#include "analysis/AnalysisSupport.h"

namespace ckptlab {

QString resolveMetric(const ResultSnapshot& snapshot, const ResultSelection& selection)
{
    const TaskInfo* task = snapshot.taskByName(selection.task);
    if (!task)
        return {};
    const QSet<RowId> formatIds = analysis_detail::formatIdsNamed(snapshot, {selection.format});
    const auto rows = analysis_detail::rowsOfTask(snapshot, task->id, selection.shots, &formatIds);
    return analysis_detail::resolveMetricAmong(*task, rows, selection.metric);
}

bool recipeSelected(const ResultSnapshot& snapshot, RowId recipeId, const QStringList& ftTasks)
{
    if (recipeId == kBaseRecipe)
        return ftTasks.isEmpty() || ftTasks.contains(QStringLiteral("base"));
    const RecipeInfo* recipe = snapshot.recipe(recipeId);
    if (!recipe)
        return false;
    return ftTasks.isEmpty() || ftTasks.contains(recipe->ftTask);
}

} // namespace ckptlab
