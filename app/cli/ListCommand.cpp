#include "cli/CliCommand.h"

#include "project/Project.h"
#include "project/SnapshotLoader.h"

#include <QCommandLineParser>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <QLocale>

#include <cmath>

namespace ckptlab::cli {

namespace {

QJsonValue optionalJson(const std::optional<qint64>& v) { return v ? QJsonValue(double(*v)) : QJsonValue(); }
QJsonValue optionalJson(const std::optional<double>& v) { return v ? QJsonValue(*v) : QJsonValue(); }
QJsonValue optionalJson(const std::optional<int>& v) { return v ? QJsonValue(*v) : QJsonValue(); }
QJsonValue numberOrNull(double v) { return std::isnan(v) ? QJsonValue() : QJsonValue(v); }

QString cell(const QJsonValue& v)
{
    if (v.isNull() || v.isUndefined())
        return QString();
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', QLocale::FloatingPointShortest);
    if (v.isBool())
        return v.toBool() ? QStringLiteral("yes") : QStringLiteral("no");
    return v.toString();
}

// Prints rows as tab-separated text with a header, or as a JSON array.
void emitRows(const QStringList& columns, const QJsonArray& rows, bool json)
{
    if (json) {
        print(QString::fromUtf8(QJsonDocument(rows).toJson(QJsonDocument::Indented)).trimmed());
        return;
    }
    print(columns.join(QLatin1Char('\t')));
    for (const QJsonValue& row : rows) {
        QStringList cells;
        for (const QString& c : columns)
            cells << cell(row.toObject().value(c));
        print(cells.join(QLatin1Char('\t')));
    }
}

} // namespace

int runList(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.addOptions({
        {QStringLiteral("project"), QStringLiteral("Project file."), QStringLiteral("P")},
        {QStringLiteral("json"), QStringLiteral("Print a JSON array instead of tab-separated text.")},
    });
    parser.addPositionalArgument(QStringLiteral("what"), QStringLiteral("checkpoints|tasks|recipes|results"));
    if (!parser.parse(QStringList{QStringLiteral("list")} + arguments))
        return fail(parser.errorText(), 2);
    if (!parser.isSet(QStringLiteral("project")))
        return fail(QStringLiteral("list: --project is required"), 2);
    const QStringList what = parser.positionalArguments();
    const QStringList kinds{QStringLiteral("checkpoints"), QStringLiteral("tasks"), QStringLiteral("recipes"), QStringLiteral("results")};
    if (what.size() != 1 || !kinds.contains(what.first()))
        return fail(QStringLiteral("list: say what to list: %1").arg(kinds.join(QLatin1Char('|'))), 2);

    const auto opened = openProjectSnapshot(parser.value(QStringLiteral("project")));
    if (!opened)
        return fail(opened.error());
    const ResultSnapshot& s = opened->snapshot;
    const bool json = parser.isSet(QStringLiteral("json"));

    QHash<RowId, int> perCheckpoint, perTask, perRecipe;
    for (const ResultRow& r : s.results) {
        ++perCheckpoint[r.checkpointId];
        ++perTask[r.taskId];
        ++perRecipe[r.recipeId];
    }

    QJsonArray rows;
    if (what.first() == QLatin1String("checkpoints")) {
        for (const CheckpointInfo& c : s.checkpoints)
            rows.append(QJsonObject{{"series", c.series}, {"checkpoint", c.label}, {"step", optionalJson(c.step)},
                                    {"tokens", optionalJson(c.tokens)}, {"final", c.isFinal},
                                    {"results", perCheckpoint.value(c.id)}, {"family", c.family},
                                    {"parameters", optionalJson(c.parameters)}, {"dtype", c.dtype},
                                    {"status", c.status}, {"path", c.path}});
        emitRows({"series", "checkpoint", "step", "tokens", "final", "results", "family", "parameters", "dtype", "status", "path"},
                 rows, json);
    } else if (what.first() == QLatin1String("tasks")) {
        for (const TaskInfo& t : s.tasks) {
            QStringList formats;
            for (const PromptFormatInfo& f : s.formats)
                if (f.taskId == t.id)
                    formats << f.name;
            rows.append(QJsonObject{{"task", t.name}, {"kind", t.kind}, {"metric", t.metric},
                                    {"formats", formats.join(QLatin1Char(','))}, {"results", perTask.value(t.id)}});
        }
        emitRows({"task", "kind", "metric", "formats", "results"}, rows, json);
    } else if (what.first() == QLatin1String("recipes")) {
        for (const RecipeInfo& r : s.recipes)
            rows.append(QJsonObject{{"recipe", r.label()}, {"ft_task", r.ftTask}, {"epochs", optionalJson(r.epochs)},
                                    {"learning_rate", optionalJson(r.learningRate)}, {"batch_size", optionalJson(r.batchSize)},
                                    {"seed", optionalJson(r.seed)}, {"results", perRecipe.value(r.id)}});
        emitRows({"recipe", "ft_task", "epochs", "learning_rate", "batch_size", "seed", "results"}, rows, json);
    } else {
        for (const ResultRow& r : s.results) {
            const CheckpointInfo* c = s.checkpoint(r.checkpointId);
            const TaskInfo* t = s.task(r.taskId);
            const PromptFormatInfo* f = s.format(r.formatId);
            const RecipeInfo* recipe = s.recipe(r.recipeId);
            rows.append(QJsonObject{{"series", c ? c->series : QString()}, {"checkpoint", c ? c->label : QString()},
                                    {"step", c ? optionalJson(c->step) : QJsonValue()},
                                    {"ft", recipe ? recipe->ftTask : QStringLiteral("base")},
                                    {"recipe", s.recipeLabel(r.recipeId)}, {"task", t ? t->name : QString()},
                                    {"format", f ? f->name : QString()}, {"shots", r.shots}, {"metric", r.metric},
                                    {"value", r.value}, {"stderr", numberOrNull(r.stderr_)},
                                    {"n", r.n >= 0 ? QJsonValue(r.n) : QJsonValue()}, {"model_id", r.modelRef},
                                    {"source", r.source}});
        }
        emitRows({"series", "checkpoint", "step", "ft", "recipe", "task", "format", "shots", "metric", "value", "stderr", "n",
                  "model_id", "source"},
                 rows, json);
    }
    return 0;
}

} // namespace ckptlab::cli
