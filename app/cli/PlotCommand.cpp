#include "cli/CliCommand.h"

#include "figures/FigureData.h"
#include "render/FigureFile.h"
#include "project/Project.h"
#include "project/SnapshotLoader.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QSet>

namespace ckptlab::cli {

namespace {

// Rejects --ft names that no recipe of the project has, so a typo is not an empty chart.
QString unknownFtTasks(const ResultSnapshot& s, const QStringList& ftTasks)
{
    QSet<QString> known{QStringLiteral("base")};
    for (const RecipeInfo& r : s.recipes)
        known.insert(r.ftTask);
    QStringList unknown;
    for (const QString& ft : ftTasks)
        if (!known.contains(ft))
            unknown << ft;
    if (unknown.isEmpty())
        return {};
    QStringList knownList(known.begin(), known.end());
    knownList.sort();
    return QStringLiteral("plot: unknown --ft %1 (the project has: %2)")
        .arg(unknown.join(QLatin1Char(',')), knownList.join(QLatin1Char(',')));
}


void addPlotOptions(QCommandLineParser& parser)
{
    parser.addOptions({
        {QStringLiteral("project"), QStringLiteral("Project file."), QStringLiteral("P")},
        {QStringLiteral("task"), QStringLiteral("Eval task."), QStringLiteral("T")},
        {QStringLiteral("format"), QStringLiteral("Prompt format (default: default)."), QStringLiteral("F"), QStringLiteral("default")},
        {QStringLiteral("shots"), QStringLiteral("In-context examples (default 0)."), QStringLiteral("K"), QStringLiteral("0")},
        {QStringLiteral("metric"), QStringLiteral("Metric (default: the task's)."), QStringLiteral("M")},
        {QStringLiteral("ft"), QStringLiteral("Recipes by fine-tuning task, comma-separated; base = no fine-tuning."), QStringLiteral("LIST")},
        {QStringLiteral("series"), QStringLiteral("Checkpoint series."), QStringLiteral("S")},
        {QStringLiteral("x"), QStringLiteral("X axis: index, step or tokens (default index)."), QStringLiteral("AXIS"), QStringLiteral("index")},
        {QStringLiteral("log-x"), QStringLiteral("Logarithmic x axis (step or tokens).")},
        {QStringLiteral("style"), QStringLiteral("paper or screen (default paper)."), QStringLiteral("STYLE"), QStringLiteral("paper")},
        {QStringLiteral("errors"), QStringLiteral("band, bars or none (default band)."), QStringLiteral("HOW"), QStringLiteral("band")},
        {QStringLiteral("change"), QStringLiteral("change: change, ratio, forgetting or aggregate (default change)."), QStringLiteral("MODE"), QStringLiteral("change")},
        {QStringLiteral("measure"), QStringLiteral("sensitivity: std, range or lines (default std)."), QStringLiteral("MODE"), QStringLiteral("std")},
        {QStringLiteral("width"), QStringLiteral("Width in px (default 800)."), QStringLiteral("W")},
        {QStringLiteral("height"), QStringLiteral("Height in px (default 500)."), QStringLiteral("H")},
        {QStringLiteral("dpi"), QStringLiteral("PNG resolution (default 150)."), QStringLiteral("DPI")},
        {QStringLiteral("out"), QStringLiteral("Figure file: .png, .pdf or .svg."), QStringLiteral("FIG")},
        {QStringLiteral("data"), QStringLiteral("Also write the plotted points as CSV."), QStringLiteral("POINTS.csv")},
    });
    parser.addPositionalArgument(QStringLiteral("kind"), QStringLiteral("trajectory|change|sensitivity|gain"));
}

// How the figure is drawn: errors, change mode, spread measure (usage errors).
Status readDisplayOptions(const QCommandLineParser& parser, FigureSpec& spec)
{
    const QString errors = parser.value(QStringLiteral("errors"));
    if (errors == QLatin1String("band"))
        spec.errors = ErrorDisplay::Band;
    else if (errors == QLatin1String("bars"))
        spec.errors = ErrorDisplay::Bars;
    else if (errors == QLatin1String("none"))
        spec.errors = ErrorDisplay::None;
    else
        return Status::failure(QStringLiteral("plot: --errors must be band, bars or none"));
    const QString change = parser.value(QStringLiteral("change"));
    const QStringList changeModes{QStringLiteral("change"), QStringLiteral("ratio"), QStringLiteral("forgetting"),
                                  QStringLiteral("aggregate")};
    if (!changeModes.contains(change))
        return Status::failure(QStringLiteral("plot: --change must be change, ratio, forgetting or aggregate"));
    spec.changeMode = ChangeMode(changeModes.indexOf(change));
    const QString measure = parser.value(QStringLiteral("measure"));
    const QStringList measures{QStringLiteral("std"), QStringLiteral("range"), QStringLiteral("lines")};
    if (!measures.contains(measure))
        return Status::failure(QStringLiteral("plot: --measure must be std, range or lines"));
    spec.spread = SpreadMode(measures.indexOf(measure));
    return success();
}

// What to plot: the kind, the selection, the axis and the display (usage errors, exit 2).
Outcome<FigureSpec> readFigureSpec(const QCommandLineParser& parser)
{
    using Out = Outcome<FigureSpec>;
    const QStringList positional = parser.positionalArguments();
    const auto kind = positional.size() == 1 ? figureKindFromName(positional.first()) : std::nullopt;
    FigureSpec spec;
    spec.kind = *kind;
    spec.selection.task = parser.value(QStringLiteral("task"));
    spec.selection.format = parser.value(QStringLiteral("format"));
    bool ok = false;
    spec.selection.shots = parser.value(QStringLiteral("shots")).toInt(&ok);
    if (!ok || spec.selection.shots < 0)
        return Out::failure(QStringLiteral("plot: --shots needs a whole number >= 0, got \"%1\"").arg(parser.value(QStringLiteral("shots"))));
    spec.selection.metric = parser.value(QStringLiteral("metric"));
    spec.selection.series = parser.value(QStringLiteral("series"));
    if (parser.isSet(QStringLiteral("ft")))
        spec.selection.ftTasks = parser.value(QStringLiteral("ft")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    const auto xAxis = xAxisModeFromName(parser.value(QStringLiteral("x")));
    if (!xAxis)
        return Out::failure(QStringLiteral("plot: --x must be index, step or tokens"));
    spec.xAxis = *xAxis;
    spec.logX = parser.isSet(QStringLiteral("log-x"));
    if (Status s = readDisplayOptions(parser, spec); !s)
        return Out::failure(s.error());
    if (figureNeedsTask(spec) && !parser.isSet(QStringLiteral("task")))
        return Out::failure(QStringLiteral("plot: --task is required for %1").arg(positional.first()));
    return spec;
}

} // namespace

int runPlot(const QStringList& arguments)
{
    QCommandLineParser parser;
    addPlotOptions(parser);
    if (!parser.parse(QStringList{QStringLiteral("plot")} + arguments))
        return fail(parser.errorText(), 2);
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1 || !figureKindFromName(positional.first()))
        return fail(QStringLiteral("plot: say what to plot: trajectory|change|sensitivity|gain"), 2);
    if (!parser.isSet(QStringLiteral("project")))
        return fail(QStringLiteral("plot: --project is required"), 2);
    if (!parser.isSet(QStringLiteral("out")))
        return fail(QStringLiteral("plot: --out FIG.png|pdf|svg is required"), 2);
    const QString out = parser.value(QStringLiteral("out"));
    if (!figureFileSuffixes().contains(QFileInfo(out).suffix().toLower()))
        return fail(QStringLiteral("plot: --out must end in .png, .pdf or .svg, got \"%1\"").arg(out), 2);
    const auto parsedSpec = readFigureSpec(parser);
    if (!parsedSpec)
        return fail(parsedSpec.error(), 2);
    const FigureSpec& spec = parsedSpec.value();
    const auto style = FigureStyle::byName(parser.value(QStringLiteral("style")));
    if (!style)
        return fail(QStringLiteral("plot: --style must be paper or screen"), 2);
    ExportOptions options;
    const auto width = positiveOption(parser, QStringLiteral("width"), options.width);
    const auto height = positiveOption(parser, QStringLiteral("height"), options.height);
    const auto dpi = positiveOption(parser, QStringLiteral("dpi"), options.dpi);
    if (!width || !height || !dpi)
        return fail(QStringLiteral("plot: --width, --height and --dpi need positive whole numbers"), 2);
    options = {*width, *height, *dpi};

    const auto opened = openProjectSnapshot(parser.value(QStringLiteral("project")));
    if (!opened)
        return fail(opened.error());
    const ResultSnapshot& snapshot = opened->snapshot;
    if (!spec.selection.task.isEmpty() && !snapshot.taskByName(spec.selection.task))
        return fail(QStringLiteral("plot: the project has no task \"%1\" (see: ckptlab-cli list --project P tasks)")
                        .arg(spec.selection.task));
    if (const QString unknown = unknownFtTasks(snapshot, spec.selection.ftTasks); !unknown.isEmpty())
        return fail(unknown);

    const FigureData data = buildFigureData(snapshot, spec);
    if (data.isEmpty())
        return fail(QStringLiteral("plot: nothing to plot: %1").arg(data.emptyReason));
    const Status written = writeFigureFile(data, *style, spec.errors, out, options, parser.value(QStringLiteral("data")));
    if (!written)
        return fail(written.error());
    for (const QString& note : data.notes)
        print(QStringLiteral("note: %1").arg(note));
    print(QStringLiteral("wrote %1 (%2 series, %3 points)%4")
              .arg(out)
              .arg(data.series.size())
              .arg(data.pointCount())
              .arg(parser.isSet(QStringLiteral("data")) ? QStringLiteral(" and %1").arg(parser.value(QStringLiteral("data")))
                                                         : QString()));
    return 0;
}

} // namespace ckptlab::cli
