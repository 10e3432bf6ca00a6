#include "cli/CliCommand.h"

#include "ingest/ResultImporter.h"
#include "project/Project.h"

#include <QCommandLineParser>
#include <QRegularExpression>

namespace ckptlab::cli {

int runImport(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Import results (long CSV, lm-evaluation-harness JSON) into a project."));
    parser.addOptions({
        {QStringLiteral("project"), QStringLiteral("Project file (created if missing)."), QStringLiteral("P")},
        {QStringLiteral("strict"), QStringLiteral("Stop with nothing written when any model id cannot be parsed.")},
        {QStringLiteral("id-pattern"), QStringLiteral("Regex with named groups series, step, tokens, ft, epochs, lr, shots."),
         QStringLiteral("RE")},
        {QStringLiteral("final-step"), QStringLiteral("The step of the final checkpoint (main/final/latest)."), QStringLiteral("N")},
        {QStringLiteral("format-suffixes"), QStringLiteral("Comma-separated prompt-format suffixes of eval names."),
         QStringLiteral("LIST")},
        {QStringLiteral("series"), QStringLiteral("Series for ids that name none."), QStringLiteral("NAME")},
    });
    parser.addPositionalArgument(QStringLiteral("files"), QStringLiteral("Result files or folders."), QStringLiteral("FILE_OR_DIR..."));
    if (!parser.parse(QStringList{QStringLiteral("import")} + arguments))
        return fail(parser.errorText(), 2);
    if (!parser.isSet(QStringLiteral("project")))
        return fail(QStringLiteral("import: --project is required"), 2);
    if (parser.positionalArguments().isEmpty())
        return fail(QStringLiteral("import: name at least one file or folder to import"), 2);

    ImportOptions options;
    options.strict = parser.isSet(QStringLiteral("strict"));
    options.idPattern = parser.value(QStringLiteral("id-pattern"));
    options.defaultSeries = parser.value(QStringLiteral("series"));
    if (parser.isSet(QStringLiteral("final-step"))) {
        bool ok = false;
        const qint64 step = parser.value(QStringLiteral("final-step")).toLongLong(&ok);
        if (!ok || step < 0)
            return fail(QStringLiteral("import: --final-step needs a non-negative whole number, got \"%1\"")
                            .arg(parser.value(QStringLiteral("final-step"))), 2);
        options.finalStep = step;
    }
    if (parser.isSet(QStringLiteral("format-suffixes")))
        options.formatSuffixes = parser.value(QStringLiteral("format-suffixes")).split(QLatin1Char(','), Qt::SkipEmptyParts);

    auto project = Project::open(parser.value(QStringLiteral("project")), Project::Mode::CreateIfMissing);
    if (!project)
        return fail(project.error());
    const auto report = importResults(project.value(), parser.positionalArguments(), options);
    if (!report)
        return fail(report.error());
    print(report->summary());
    return 0;
}

} // namespace ckptlab::cli
