#include "analysis/AnalysisSupport.h"

#include <algorithm>
#include <cmath>

namespace ckptlab::analysis_detail {

QSet<RowId> formatIdsNamed(const ResultSnapshot& snapshot, const QStringList& names)
{
    QSet<RowId> ids;
    for (const PromptFormatInfo& f : snapshot.formats)
        if (names.contains(f.name))
            ids.insert(f.id);
    return ids;
}

QHash<RowId, RowPtrs> rowsByTask(const ResultSnapshot& snapshot, const QSet<RowId>* taskIds, int shots,
                                 const QSet<RowId>* formatIds)
{
    QHash<RowId, RowPtrs> byTask;
    for (const ResultRow& row : snapshot.results) {
        if (row.shots != shots)
            continue;
        if (taskIds && !taskIds->contains(row.taskId))
            continue;
        if (formatIds && !formatIds->contains(row.formatId))
            continue;
        byTask[row.taskId].append(&row);
    }
    return byTask;
}

RowPtrs rowsOfTask(const ResultSnapshot& snapshot, RowId taskId, int shots, const QSet<RowId>* formatIds)
{
    // The hot path of every chart: compare the task id first, touch nothing else otherwise.
    RowPtrs rows;
    for (const ResultRow& row : snapshot.results) {
        if (row.taskId != taskId || row.shots != shots)
            continue;
        if (formatIds && !formatIds->contains(row.formatId))
            continue;
        rows.append(&row);
    }
    return rows;
}

QString resolveMetricAmong(const TaskInfo& task, const RowPtrs& rows, const QString& chosen)
{
    if (rows.isEmpty())
        return {};
    if (!chosen.isEmpty())
        return chosen;
    QSet<QString> present;
    for (const ResultRow* row : rows)
        present.insert(row->metric);
    if (!task.metric.isEmpty() && present.contains(task.metric))
        return task.metric;
    QStringList sorted(present.cbegin(), present.cend());
    std::sort(sorted.begin(), sorted.end());
    return sorted.first();
}

QSet<RowId> selectedRecipeIds(const ResultSnapshot& snapshot, const QStringList& ftTasks)
{
    QSet<RowId> ids;
    if (ftTasks.isEmpty() || ftTasks.contains(QStringLiteral("base")))
        ids.insert(kBaseRecipe);
    for (const RecipeInfo& r : snapshot.recipes)
        if (ftTasks.isEmpty() || ftTasks.contains(r.ftTask))
            ids.insert(r.id);
    return ids;
}

const CheckpointInfo* checkpointInSeries(const ResultSnapshot& snapshot, RowId checkpointId,
                                         const QString& series)
{
    const CheckpointInfo* cp = snapshot.checkpoint(checkpointId);
    if (!cp || (!series.isEmpty() && cp->series != series))
        return nullptr;
    return cp;
}

void keepLowestId(QHash<RowId, const ResultRow*>& byKey, RowId key, const ResultRow* row)
{
    auto it = byKey.find(key);
    if (it == byKey.end())
        byKey.insert(key, row);
    else if (row->id < (*it)->id)
        *it = row;
}

bool recipeBefore(const ResultSnapshot& snapshot, RowId a, RowId b)
{
    if (a == b)
        return false;
    if ((a == kBaseRecipe) != (b == kBaseRecipe))
        return a == kBaseRecipe;
    const QString la = snapshot.recipeLabel(a);
    const QString lb = snapshot.recipeLabel(b);
    if (la != lb)
        return la < lb;
    return a < b;
}

void sortLines(const ResultSnapshot& snapshot, QVector<LineKey>& lines)
{
    // Labels are computed once per recipe, not once per comparison.
    QHash<RowId, QString> labels;
    for (const LineKey& l : lines)
        if (!labels.contains(l.first))
            labels.insert(l.first, snapshot.recipeLabel(l.first));
    std::sort(lines.begin(), lines.end(), [&](const LineKey& a, const LineKey& b) {
        if (a.first != b.first) {
            if ((a.first == kBaseRecipe) != (b.first == kBaseRecipe))
                return a.first == kBaseRecipe;
            const QString& la = labels[a.first];
            const QString& lb = labels[b.first];
            if (la != lb)
                return la < lb;
            return a.first < b.first;
        }
        return a.second < b.second;
    });
}

QHash<RowId, QString> recipeNames(const ResultSnapshot& snapshot, const QVector<RowId>& recipeIds)
{
    QSet<RowId> distinct(recipeIds.cbegin(), recipeIds.cend());
    QHash<QString, int> perFtTask;
    for (RowId id : distinct)
        if (const RecipeInfo* r = snapshot.recipe(id))
            ++perFtTask[r->ftTask];

    QHash<RowId, QString> names;
    QHash<QString, int> perName;
    for (RowId id : distinct) {
        const RecipeInfo* r = snapshot.recipe(id);
        QString name;
        if (id == kBaseRecipe)
            name = QStringLiteral("base");
        else if (r && perFtTask.value(r->ftTask) == 1)
            name = r->ftTask;
        else
            name = snapshot.recipeLabel(id);
        names.insert(id, name);
        ++perName[name];
    }
    // Two recipes may differ only in settings the label leaves out (seed-free extras).
    for (auto it = names.begin(); it != names.end(); ++it)
        if (perName.value(*it) > 1)
            *it += QStringLiteral(" #%1").arg(it.key());
    return names;
}

QString joinName(const QString& a, const QString& b)
{
    return a + QStringLiteral(" \u00b7 ") + b;
}

QHash<LineKey, QString> lineNames(const ResultSnapshot& snapshot, const QVector<LineKey>& lines)
{
    QVector<RowId> recipeIds;
    QSet<QString> series;
    for (const LineKey& l : lines) {
        recipeIds.append(l.first);
        series.insert(l.second);
    }
    const QHash<RowId, QString> byRecipe = recipeNames(snapshot, recipeIds);
    QHash<LineKey, QString> names;
    for (const LineKey& l : lines)
        names.insert(l, series.size() > 1 ? joinName(l.second, byRecipe.value(l.first)) : byRecipe.value(l.first));
    return names;
}

double meanOf(const QVector<double>& values)
{
    if (values.isEmpty())
        return std::nan("");
    double sum = 0.0;
    for (double v : values)
        sum += v;
    return sum / values.size();
}

double sampleStddevOf(const QVector<double>& values)
{
    if (values.size() < 2)
        return std::nan("");
    const double m = meanOf(values);
    double squares = 0.0;
    for (double v : values)
        squares += (v - m) * (v - m);
    return std::sqrt(squares / (values.size() - 1));
}

} // namespace ckptlab::analysis_detail
