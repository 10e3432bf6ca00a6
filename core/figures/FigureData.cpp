#include "figures/FigureData.h"

#include "analysis/Aggregate.h"
#include "analysis/Change.h"
#include "analysis/Gain.h"
#include "analysis/Sensitivity.h"
#include "analysis/Trajectory.h"

#include <QFile>
#include <QLocale>
#include <QSaveFile>
#include <QSet>
#include <QTextStream>

#include <algorithm>
#include <cmath>

namespace ckptlab {

namespace {

QString number(double v)
{
    return std::isnan(v) ? QString() : QString::number(v, 'g', QLocale::FloatingPointShortest);
}

QString formatValue(double v)
{
    return std::isnan(v) ? QStringLiteral("n/a") : QString::number(v, 'f', 4);
}

// Places a checkpoint on the chosen x axis; nullopt when it has no position there
// (a final checkpoint with unknown step on a step axis).
struct Placement {
    XAxisMode mode;
    QSet<QString> leftOff;

    template <typename P>
    std::optional<double> x(const P& p)
    {
        switch (mode) {
        case XAxisMode::Index:
            return double(p.index);
        case XAxisMode::Step:
            if (p.step)
                return double(*p.step);
            break;
        case XAxisMode::Tokens:
            if (p.tokens)
                return *p.tokens;
            break;
        }
        leftOff.insert(p.checkpointLabel);
        return std::nullopt;
    }

    void addNotes(FigureData& data) const
    {
        if (leftOff.isEmpty())
            return;
        QStringList labels(leftOff.begin(), leftOff.end());
        labels.sort();
        const QString what = mode == XAxisMode::Step ? QStringLiteral("step") : QStringLiteral("token count");
        data.notes << QStringLiteral("Not shown: checkpoint %1 (%2 unknown%3).")
                          .arg(labels.join(QStringLiteral(", ")), what,
                               mode == XAxisMode::Step ? QStringLiteral("; import with --final-step N to place it")
                                                       : QString());
    }
};

void setXAxis(FigureData& data, const FigureSpec& spec, const CheckpointAxis& axis)
{
    data.logX = spec.logX && spec.xAxis != XAxisMode::Index;
    switch (spec.xAxis) {
    case XAxisMode::Index:
        data.xLabel = QStringLiteral("Pre-training checkpoint");
        for (int i = 0; i < axis.size(); ++i)
            data.xTicks.push_back({double(i), axis.labels[i]});
        break;
    case XAxisMode::Step:
        data.xLabel = QStringLiteral("Pre-training step");
        break;
    case XAxisMode::Tokens:
        data.xLabel = QStringLiteral("Pre-training tokens");
        break;
    }
    // A log axis cannot show step 0.
    if (data.logX)
        for (FigureSeries& s : data.series)
            s.points.erase(std::remove_if(s.points.begin(), s.points.end(), [](const FigurePoint& p) { return p.x <= 0; }),
                           s.points.end());
}

// Palette slot of a recipe: base first, then fine-tuning tasks in name order, so "mnli" has the
// same colour on the trajectory, change and gain charts.
int recipeColor(const ResultSnapshot& snapshot, RowId recipeId)
{
    if (recipeId == kBaseRecipe)
        return 0;
    QStringList ftTasks;
    for (const RecipeInfo& r : snapshot.recipes)
        if (!ftTasks.contains(r.ftTask))
            ftTasks << r.ftTask;
    ftTasks.sort();
    const RecipeInfo* recipe = snapshot.recipe(recipeId);
    return recipe ? 1 + ftTasks.indexOf(recipe->ftTask) : -1;
}

QString selectionText(const ResultSelection& sel, const QString& metric)
{
    QString text = sel.task;
    if (!sel.format.isEmpty() && sel.format != QLatin1String("default"))
        text += QStringLiteral(" [%1]").arg(sel.format);
    text += QStringLiteral(", %1-shot").arg(sel.shots);
    if (!metric.isEmpty())
        text += QStringLiteral(", %1").arg(metric);
    return text;
}

void buildTrajectory(const ResultSnapshot& snapshot, const FigureSpec& spec, FigureData& data)
{
    const Trajectory t = spec.kind == FigureKind::Sensitivity
        ? computeFormatTrajectories(snapshot, spec.selection)
        : computeTrajectory(snapshot, spec.selection);
    Placement place{spec.xAxis, {}};
    for (const TrajectorySeries& s : t.series) {
        FigureSeries out;
        out.name = s.name;
        if (spec.kind != FigureKind::Sensitivity)
            out.colorIndex = recipeColor(snapshot, s.recipeId);
        for (const TrajectoryPoint& p : s.points) {
            const auto x = place.x(p);
            if (!x)
                continue;
            FigurePoint fp;
            fp.x = *x;
            fp.y = p.value;
            fp.err = p.stderr_;
            fp.axisIndex = p.index;
            fp.checkpointLabel = p.checkpointLabel;
            fp.step = p.step;
            fp.tooltip = QStringLiteral("%1\ncheckpoint %2\n%3 = %4 ± %5%6\nmodel: %7")
                             .arg(s.name, p.checkpointLabel, t.metric, formatValue(p.value), formatValue(p.stderr_),
                                  p.n >= 0 ? QStringLiteral(" (n = %1)").arg(p.n) : QString(), p.modelRef);
            out.points.push_back(fp);
        }
        if (!out.points.isEmpty())
            data.series.push_back(out);
    }
    place.addNotes(data);
    data.yLabel = t.metric.isEmpty() ? QStringLiteral("value") : t.metric;
    data.title = QStringLiteral("%1%2").arg(spec.kind == FigureKind::Sensitivity ? QStringLiteral("Prompt formats: ") : QString(),
                                            selectionText(spec.selection, t.metric));
    setXAxis(data, spec, t.axis);
}

void addChangeSeries(const ResultSnapshot& snapshot, const QVector<ChangeSeries>& series, const FigureSpec& spec,
                     bool ratio, FigureData& data, Placement& place)
{
    for (const ChangeSeries& s : series) {
        FigureSeries out;
        out.name = s.name;
        if (spec.changeMode != ChangeMode::Forgetting)
            out.colorIndex = recipeColor(snapshot, s.recipeId);
        out.dashed = !s.trainedOnTask && spec.changeMode != ChangeMode::Forgetting;
        for (const ChangePoint& p : s.points) {
            const auto x = place.x(p);
            const double y = ratio ? p.ratio : p.change;
            if (!x || std::isnan(y))
                continue;
            FigurePoint fp;
            fp.x = *x;
            fp.y = y;
            fp.err = ratio ? p.ratioStderr : p.stderr_;
            fp.axisIndex = p.index;
            fp.checkpointLabel = p.checkpointLabel;
            fp.step = p.step;
            fp.tooltip = QStringLiteral("%1\ncheckpoint %2\n%3: %4 → %5, change %6%7\nmodel: %8")
                             .arg(s.name, p.checkpointLabel, s.metric, formatValue(p.base), formatValue(p.tuned),
                                  formatValue(p.change),
                                  std::isnan(p.ratio) ? QString() : QStringLiteral(" (%1%)").arg(p.ratio * 100, 0, 'f', 1),
                                  p.modelRef);
            out.points.push_back(fp);
        }
        if (!out.points.isEmpty())
            data.series.push_back(out);
    }
}

// Mean change of the selected recipes over the tasks they trained on and over every other
// task, per checkpoint, with 90% bootstrap intervals.
void buildAggregate(const ResultSnapshot& snapshot, const FigureSpec& spec, FigureData& data)
{
    AggregateQuery trained, other;
    for (AggregateQuery* q : {&trained, &other}) {
        q->format = spec.selection.format;
        q->shots = spec.selection.shots;
        q->series = spec.selection.series;
        q->confidence = 0.90;
    }
    for (const RecipeInfo& r : snapshot.recipes) {
        if (!recipeSelected(snapshot, r.id, spec.selection.ftTasks))
            continue;
        for (const TaskInfo& t : snapshot.tasks)
            (isInDomain(r.ftTask, t.name) ? trained : other).pairs.push_back({t.name, r.id});
    }
    const AggregateResult results[2] = {aggregateChange(snapshot, trained), aggregateChange(snapshot, other)};
    QSet<RowId> checkpoints;
    for (const AggregateResult& r : results)
        for (const AggregatePoint& p : r.points)
            checkpoints.insert(p.checkpointId);
    const CheckpointAxis axis = buildCheckpointAxis(snapshot, checkpoints);
    const QString names[2] = {QStringLiteral("tasks trained on"), QStringLiteral("other tasks")};
    Placement place{spec.xAxis, {}};
    for (int g = 0; g < 2; ++g) {
        FigureSeries out;
        out.name = names[g];
        out.bars = spec.xAxis == XAxisMode::Index;
        out.colorIndex = g == 0 ? 2 : 4;
        for (const AggregatePoint& p : results[g].points) {
            struct { int index; std::optional<qint64> step; std::optional<double> tokens; QString checkpointLabel; } at{
                axis.indexOf(p.checkpointId), p.step, std::nullopt, p.checkpointLabel};
            if (const CheckpointInfo* c = snapshot.checkpoint(p.checkpointId))
                at.tokens = c->tokens;
            const auto x = place.x(at);
            if (!x || std::isnan(p.interval.mean))
                continue;
            FigurePoint fp;
            fp.x = *x;
            fp.y = p.interval.mean;
            fp.err = p.interval.stderr_;
            fp.low = p.interval.low;
            fp.high = p.interval.high;
            fp.axisIndex = at.index;
            fp.checkpointLabel = p.checkpointLabel;
            fp.step = p.step;
            fp.tooltip = QStringLiteral("%1\ncheckpoint %2\nmean change %3 over %4 task(s)\n90% interval [%5, %6]")
                             .arg(out.name, p.checkpointLabel, formatValue(p.interval.mean))
                             .arg(p.interval.n)
                             .arg(formatValue(p.interval.low), formatValue(p.interval.high));
            out.points.push_back(fp);
        }
        if (!out.points.isEmpty())
            data.series.push_back(out);
    }
    place.addNotes(data);
    data.zeroLine = true;
    data.title = QStringLiteral("Mean change after fine-tuning (%1, %2-shot), 90% bootstrap intervals")
                     .arg(spec.selection.format)
                     .arg(spec.selection.shots);
    data.yLabel = QStringLiteral("mean of fine-tuned − base");
    setXAxis(data, spec, axis);
    if (data.series.isEmpty())
        data.emptyReason = QStringLiteral("No task has both base and fine-tuned results at %1, %2-shot.")
                               .arg(spec.selection.format)
                               .arg(spec.selection.shots);
}

void buildChange(const ResultSnapshot& snapshot, const FigureSpec& spec, FigureData& data)
{
    if (spec.changeMode == ChangeMode::Aggregate) {
        buildAggregate(snapshot, spec, data);
        return;
    }
    Placement place{spec.xAxis, {}};
    data.zeroLine = true;
    if (spec.changeMode == ChangeMode::Forgetting) {
        // The forgetting curve of one recipe: its change on every task it did not train on.
        RowId recipeId = kBaseRecipe;
        for (const RecipeInfo& r : snapshot.recipes)
            if (recipeSelected(snapshot, r.id, spec.selection.ftTasks)) {
                recipeId = r.id;
                break;
            }
        if (recipeId == kBaseRecipe) {
            data.emptyReason = QStringLiteral("Choose a fine-tuning recipe to see what it forgets.");
            return;
        }
        const QVector<ChangeSeries> series
            = computeForgetting(snapshot, recipeId, spec.selection.format, spec.selection.shots);
        addChangeSeries(snapshot, series, spec, false, data, place);
        data.title = QStringLiteral("Forgetting after fine-tuning on %1 (%2, %3-shot)")
                         .arg(snapshot.recipeLabel(recipeId), spec.selection.format)
                         .arg(spec.selection.shots);
        data.yLabel = QStringLiteral("change vs base");
        setXAxis(data, spec, axisOf(snapshot, series));
    } else {
        const bool ratio = spec.changeMode == ChangeMode::Ratio;
        const ChangeResult c = computeChange(snapshot, spec.selection);
        addChangeSeries(snapshot, c.series, spec, ratio, data, place);
        data.title = QStringLiteral("%1 after fine-tuning: %2")
                         .arg(ratio ? QStringLiteral("Change ratio") : QStringLiteral("Change"),
                              selectionText(spec.selection, c.metric));
        data.yLabel = ratio ? QStringLiteral("(fine-tuned − base) / base")
                            : QStringLiteral("fine-tuned − base (%1)").arg(c.metric);
        setXAxis(data, spec, c.axis);
    }
    place.addNotes(data);
}

void buildSpread(const ResultSnapshot& snapshot, const FigureSpec& spec, FigureData& data)
{
    const SensitivityResult r = computeSensitivity(snapshot, spec.selection);
    const bool range = spec.spread == SpreadMode::Range;
    Placement place{spec.xAxis, {}};
    for (const SensitivitySeries& s : r.series) {
        FigureSeries out;
        out.name = s.name;
        out.colorIndex = recipeColor(snapshot, s.recipeId);
        for (const SensitivityPoint& p : s.points) {
            const auto x = place.x(p);
            const double y = range ? p.range : p.stddev;
            if (!x || std::isnan(y))
                continue;
            QStringList perFormat;
            for (const auto& [format, value] : p.valuesByFormat)
                perFormat << QStringLiteral("  %1: %2").arg(format, formatValue(value));
            FigurePoint fp;
            fp.x = *x;
            fp.y = y;
            fp.axisIndex = p.index;
            fp.checkpointLabel = p.checkpointLabel;
            fp.step = p.step;
            fp.tooltip = QStringLiteral("%1\ncheckpoint %2\nstd %3, max − min %4 over %5 formats\n%6")
                             .arg(s.name, p.checkpointLabel, formatValue(p.stddev), formatValue(p.range))
                             .arg(p.formatCount)
                             .arg(perFormat.join(QLatin1Char('\n')));
            out.points.push_back(fp);
        }
        if (!out.points.isEmpty())
            data.series.push_back(out);
    }
    place.addNotes(data);
    data.title = QStringLiteral("Prompt sensitivity across %1 formats: %2")
                     .arg(r.formats.size())
                     .arg(selectionText({spec.selection.task, QString(), spec.selection.shots, r.metric, {}, {}}, r.metric));
    data.yLabel = range ? QStringLiteral("max − min across formats (%1)").arg(r.metric)
                        : QStringLiteral("std across formats (%1)").arg(r.metric);
    if (r.formats.size() < 2 && data.series.isEmpty())
        data.emptyReason = QStringLiteral("%1 has results in %2 prompt format(s); the spread needs at least two.")
                               .arg(spec.selection.task)
                               .arg(r.formats.size());
    setXAxis(data, spec, r.axis);
}

void buildGain(const ResultSnapshot& snapshot, const FigureSpec& spec, FigureData& data)
{
    QVector<FigureSeries> byRecipe;
    QHash<QString, int> index;
    QSet<QString> metrics;
    for (const GainPoint& g : computeGain(snapshot, spec.selection)) {
        if (!index.contains(g.recipeName)) {
            index.insert(g.recipeName, byRecipe.size());
            FigureSeries s;
            s.name = g.recipeName;
            s.scatter = true;
            s.colorIndex = recipeColor(snapshot, g.recipeId);
            byRecipe.push_back(s);
        }
        metrics.insert(g.metric);
        FigurePoint fp;
        fp.x = g.base;
        fp.y = g.change;
        fp.checkpointLabel = g.checkpointLabel;
        if (const CheckpointInfo* c = snapshot.checkpoint(g.checkpointId))
            fp.step = c->step;
        fp.label = g.task;
        fp.tooltip = QStringLiteral("%1 on %2\ncheckpoint %3\nbase %4, change %5 (%6)")
                         .arg(g.recipeName, g.task, g.checkpointLabel, formatValue(g.base), formatValue(g.change), g.metric);
        byRecipe[index.value(g.recipeName)].points.push_back(fp);
    }
    for (FigureSeries& s : byRecipe)
        std::sort(s.points.begin(), s.points.end(), [](const FigurePoint& a, const FigurePoint& b) { return a.x < b.x; });
    data.series = byRecipe;
    data.zeroLine = true;
    QStringList metricList(metrics.begin(), metrics.end());
    metricList.sort();
    data.xLabel = QStringLiteral("base model value (%1)").arg(metricList.join(QStringLiteral(", ")));
    data.yLabel = QStringLiteral("change after fine-tuning");
    data.title = QStringLiteral("Gain vs base: %1, %2-shot")
                     .arg(spec.selection.task.isEmpty() ? QStringLiteral("all tasks") : spec.selection.task)
                     .arg(spec.selection.shots);
    if (spec.selection.format != QLatin1String("default"))
        data.title += QStringLiteral(" [%1]").arg(spec.selection.format);
}

} // namespace

bool figureNeedsTask(const FigureSpec& spec)
{
    if (spec.kind == FigureKind::Gain)
        return false;
    return !(spec.kind == FigureKind::Change
             && (spec.changeMode == ChangeMode::Aggregate || spec.changeMode == ChangeMode::Forgetting));
}

bool FigureData::isEmpty() const
{
    return pointCount() == 0;
}

int FigureData::pointCount() const
{
    int n = 0;
    for (const FigureSeries& s : series)
        n += s.points.size();
    return n;
}

FigureData buildFigureData(const ResultSnapshot& snapshot, const FigureSpec& spec)
{
    FigureData data;
    if (snapshot.results.isEmpty()) {
        data.emptyReason = QStringLiteral("No results in this project yet: drop result files (CSV, lm-eval JSON) on the "
                                          "window, or File > Import results.");
        return data;
    }
    if (figureNeedsTask(spec) && spec.selection.task.isEmpty()) {
        data.emptyReason = QStringLiteral("Choose an evaluation task.");
        return data;
    }
    if (figureNeedsTask(spec) && !snapshot.taskByName(spec.selection.task)) {
        data.emptyReason = QStringLiteral("The project has no task named \"%1\".").arg(spec.selection.task);
        return data;
    }
    switch (spec.kind) {
    case FigureKind::Trajectory:
        buildTrajectory(snapshot, spec, data);
        break;
    case FigureKind::Change:
        buildChange(snapshot, spec, data);
        break;
    case FigureKind::Sensitivity:
        if (spec.spread == SpreadMode::FormatLines)
            buildTrajectory(snapshot, spec, data);
        else
            buildSpread(snapshot, spec, data);
        break;
    case FigureKind::Gain:
        buildGain(snapshot, spec, data);
        break;
    }
    if (data.isEmpty() && data.emptyReason.isEmpty())
        data.emptyReason = QStringLiteral("No results match: %1.").arg(selectionText(spec.selection, spec.selection.metric));
    return data;
}

QString figureDataCsv(const FigureData& data)
{
    auto quoted = [](const QString& s) {
        if (!s.contains(QLatin1Char(',')) && !s.contains(QLatin1Char('"')) && !s.contains(QLatin1Char('\n')))
            return s;
        QString q = s;
        q.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        return QStringLiteral("\"%1\"").arg(q);
    };
    bool withTask = false;
    for (const FigureSeries& s : data.series)
        for (const FigurePoint& p : s.points)
            withTask = withTask || !p.label.isEmpty();
    QString out = QStringLiteral("series,checkpoint,step,x,y,err");
    out += withTask ? QStringLiteral(",task\n") : QStringLiteral("\n");
    for (const FigureSeries& s : data.series) {
        for (const FigurePoint& p : s.points) {
            QStringList row{quoted(s.name), quoted(p.checkpointLabel), p.step ? QString::number(*p.step) : QString(),
                            number(p.x), number(p.y), number(p.err)};
            if (withTask)
                row << quoted(p.label);
            out += row.join(QLatin1Char(',')) + QLatin1Char('\n');
        }
    }
    return out;
}

Status writeFigureDataCsv(const FigureData& data, const QString& path)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
        return Status::failure(QStringLiteral("%1: cannot write: %2").arg(path, file.errorString()));
    file.write(figureDataCsv(data).toUtf8());
    if (!file.commit())
        return Status::failure(QStringLiteral("%1: cannot write: %2").arg(path, file.errorString()));
    return success();
}

} // namespace ckptlab
