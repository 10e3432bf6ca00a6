#include "analysis/Change.h"

#include "analysis/ChangeSupport.h"

#include <algorithm>

namespace ckptlab {

using namespace analysis_detail;

ChangeResult computeChange(const ResultSnapshot& snapshot, const ResultSelection& selection)
{
    ChangeResult result;
    const TaskInfo* task = snapshot.taskByName(selection.task);
    if (!task)
        return result;
    const QSet<RowId> formatIds = formatIdsNamed(snapshot, {selection.format});
    const RowPtrs rows = rowsOfTask(snapshot, task->id, selection.shots, &formatIds);
    result.metric = resolveMetricAmong(*task, rows, selection.metric);

    QSet<RowId> recipes = selectedRecipeIds(snapshot, selection.ftTasks);
    recipes.remove(kBaseRecipe);
    const BaseAndTuned split = splitBaseAndTuned(snapshot, rows, result.metric, selection.series, &recipes);

    QHash<LineKey, QVector<ChangePoint>> byLine;
    for (auto it = split.tuned.cbegin(); it != split.tuned.cend(); ++it) {
        const auto bySeries = changePointsBySeries(snapshot, split.base, *it);
        for (auto s = bySeries.cbegin(); s != bySeries.cend(); ++s)
            if (!s->isEmpty())
                byLine.insert(LineKey(it.key(), s.key()), *s);
    }

    QVector<LineKey> lines = byLine.keys();
    sortLines(snapshot, lines);
    const QHash<LineKey, QString> names = lineNames(snapshot, lines);
    for (const LineKey& line : lines) {
        ChangeSeries s;
        s.recipeId = line.first;
        s.checkpointSeries = line.second;
        s.name = names.value(line);
        s.trainedOnTask = isInDomain(snapshot.recipe(line.first)->ftTask, task->name);
        s.metric = result.metric;
        s.points = byLine.value(line);
        result.series.append(s);
    }
    result.axis = axisOf(snapshot, result.series);
    placeOnAxis(result.series, result.axis);
    return result;
}

bool isInDomain(const QString& ftTask, const QString& evalTask)
{
    const QString ft = ftTask.trimmed().toLower();
    const QString eval = evalTask.trimmed().toLower();
    if (ft.isEmpty() || eval.isEmpty())
        return false;
    // The study fine-tunes on one dataset and evaluates on a sibling one it was built from.
    static const QHash<QString, QStringList> studyPairs = {
        {QStringLiteral("mnli"), {QStringLiteral("mnli_matched"), QStringLiteral("mnli_mismatched")}},
        {QStringLiteral("xsum"), {QStringLiteral("xlsum")}},
    };
    QStringList targets = studyPairs.value(ft);
    targets.prepend(ft);
    for (const QString& target : targets)
        if (eval == target || eval.startsWith(target + QLatin1Char('_')))
            return true;
    return false;
}

QVector<ChangeSeries> computeForgetting(const ResultSnapshot& snapshot, RowId recipeId, const QString& format,
                                        int shots)
{
    QVector<ChangeSeries> out;
    const RecipeInfo* recipe = snapshot.recipe(recipeId);
    if (!recipe)
        return out;
    const QSet<RowId> formatIds = formatIdsNamed(snapshot, {format});
    const QHash<RowId, RowPtrs> byTask = rowsByTask(snapshot, nullptr, shots, &formatIds);
    const QSet<RowId> onlyThisRecipe{recipeId};

    QSet<QString> checkpointSeries;
    for (const TaskInfo& task : snapshot.tasks) {
        if (isInDomain(recipe->ftTask, task.name))
            continue;
        const RowPtrs rows = byTask.value(task.id);
        if (rows.isEmpty())
            continue;
        // The task's metric is resolved over all its rows, as computeChange does, so a
        // forgetting curve and a change chart of the same task agree.
        const QString metric = resolveMetricAmong(task, rows, {});
        const BaseAndTuned split = splitBaseAndTuned(snapshot, rows, metric, {}, &onlyThisRecipe);
        const auto bySeries = changePointsBySeries(snapshot, split.base, split.tuned.value(recipeId));
        for (auto s = bySeries.cbegin(); s != bySeries.cend(); ++s) {
            if (s->isEmpty())
                continue;
            ChangeSeries series;
            series.recipeId = recipeId;
            series.checkpointSeries = s.key();
            series.name = task.name;
            series.trainedOnTask = false;
            series.metric = metric;
            series.points = *s;
            out.append(series);
            checkpointSeries.insert(s.key());
        }
    }
    if (checkpointSeries.size() > 1)
        for (ChangeSeries& s : out)
            s.name = joinName(s.checkpointSeries, s.name);
    std::stable_sort(out.begin(), out.end(), [](const ChangeSeries& a, const ChangeSeries& b) { return a.name < b.name; });
    placeOnAxis(out, axisOf(snapshot, out));
    return out;
}

CheckpointAxis axisOf(const ResultSnapshot& snapshot, const QVector<ChangeSeries>& series)
{
    QSet<RowId> ids;
    for (const ChangeSeries& s : series)
        for (const ChangePoint& p : s.points)
            ids.insert(p.checkpointId);
    return buildCheckpointAxis(snapshot, ids);
}

} // namespace ckptlab
