#include "analysis/Sensitivity.h"

#include "analysis/AnalysisSupport.h"

#include <algorithm>

namespace ckptlab {

using namespace analysis_detail;

namespace {

// The rows a sensitivity view looks at, keyed by line, format name and checkpoint.
struct FormatRows {
    QString metric;
    QStringList formats;
    QHash<LineKey, QHash<QString, QHash<RowId, const ResultRow*>>> byLine;
    QSet<RowId> checkpointIds;
};

FormatRows collectFormatRows(const ResultSnapshot& snapshot, const ResultSelection& selection,
                             const QStringList& onlyFormats)
{
    FormatRows collected;
    const TaskInfo* task = snapshot.taskByName(selection.task);
    if (!task)
        return collected;
    QStringList wanted;
    for (const QString& f : onlyFormats)
        if (!wanted.contains(f))
            wanted.append(f);
    const QSet<RowId> formatIds = formatIdsNamed(snapshot, wanted);
    const RowPtrs rows = rowsOfTask(snapshot, task->id, selection.shots, wanted.isEmpty() ? nullptr : &formatIds);
    collected.metric = resolveMetricAmong(*task, rows, selection.metric);

    const QSet<RowId> recipes = selectedRecipeIds(snapshot, selection.ftTasks);
    QSet<QString> present;
    for (const ResultRow* row : rows) {
        if (row->metric != collected.metric || !recipes.contains(row->recipeId))
            continue;
        const PromptFormatInfo* format = snapshot.format(row->formatId);
        const CheckpointInfo* cp = checkpointInSeries(snapshot, row->checkpointId, selection.series);
        if (!format || !cp)
            continue;
        keepLowestId(collected.byLine[LineKey(row->recipeId, cp->series)][format->name], cp->id, row);
        collected.checkpointIds.insert(cp->id);
        present.insert(format->name);
    }
    if (wanted.isEmpty()) {
        collected.formats = QStringList(present.cbegin(), present.cend());
        std::sort(collected.formats.begin(), collected.formats.end());
    } else {
        collected.formats = wanted;
    }
    return collected;
}

SensitivityPoint makeSensitivityPoint(const CheckpointInfo& cp, const QStringList& formats,
                                      const QHash<QString, QHash<RowId, const ResultRow*>>& byFormat)
{
    SensitivityPoint p;
    p.checkpointId = cp.id;
    p.checkpointLabel = checkpointDisplayLabel(cp);
    p.step = cp.step;
    p.tokens = cp.tokens;
    QVector<double> values;
    for (const QString& format : formats) {
        const ResultRow* row = byFormat.value(format).value(cp.id);
        if (!row)
            continue;
        p.valuesByFormat.append({format, row->value});
        values.append(row->value);
    }
    p.formatCount = values.size();
    if (values.isEmpty())
        return p;
    p.mean = meanOf(values);
    p.stddev = sampleStddevOf(values);
    const auto [lo, hi] = std::minmax_element(values.cbegin(), values.cend());
    p.range = *hi - *lo;
    return p;
}

} // namespace

SensitivityResult computeSensitivity(const ResultSnapshot& snapshot, const ResultSelection& selection,
                                     const QStringList& onlyFormats)
{
    const FormatRows collected = collectFormatRows(snapshot, selection, onlyFormats);
    SensitivityResult result;
    result.metric = collected.metric;
    result.formats = collected.formats;
    result.axis = buildCheckpointAxis(snapshot, collected.checkpointIds);

    QVector<LineKey> lines = collected.byLine.keys();
    sortLines(snapshot, lines);
    const QHash<LineKey, QString> names = lineNames(snapshot, lines);
    for (const LineKey& line : lines) {
        SensitivitySeries s;
        s.recipeId = line.first;
        s.checkpointSeries = line.second;
        s.name = names.value(line);
        const auto byFormat = collected.byLine.value(line);
        // Walk the axis so points come out in checkpoint order with their index set.
        for (int i = 0; i < result.axis.size(); ++i) {
            const CheckpointInfo* cp = snapshot.checkpoint(result.axis.checkpointIds[i]);
            if (cp->series != line.second)
                continue;
            SensitivityPoint p = makeSensitivityPoint(*cp, collected.formats, byFormat);
            if (p.formatCount == 0)
                continue;
            p.index = i;
            s.points.append(p);
        }
        result.series.append(s);
    }
    return result;
}

Trajectory computeFormatTrajectories(const ResultSnapshot& snapshot, const ResultSelection& selection,
                                     const QStringList& onlyFormats)
{
    const FormatRows collected = collectFormatRows(snapshot, selection, onlyFormats);
    Trajectory trajectory;
    trajectory.metric = collected.metric;
    trajectory.axis = buildCheckpointAxis(snapshot, collected.checkpointIds);
    const QHash<RowId, int> positions = axisPositions(trajectory.axis);

    QVector<LineKey> lines = collected.byLine.keys();
    sortLines(snapshot, lines);
    const QHash<LineKey, QString> names = lineNames(snapshot, lines);
    for (const LineKey& line : lines) {
        const auto byFormat = collected.byLine.value(line);
        for (const QString& format : collected.formats) {
            const auto rows = byFormat.value(format);
            if (rows.isEmpty())
                continue;
            TrajectorySeries s;
            s.recipeId = line.first;
            s.checkpointSeries = line.second;
            s.name = joinName(names.value(line), format);
            s.points = trajectoryPoints(snapshot, rows, positions);
            trajectory.series.append(s);
        }
    }
    return trajectory;
}

} // namespace ckptlab
