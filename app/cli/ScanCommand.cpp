#include "cli/CliCommand.h"

#include "jobs/CheckpointScanner.h"
#include "project/Project.h"

#include <QCommandLineParser>
#include <QLocale>

namespace ckptlab::cli {

namespace {

QString describe(const CheckpointInfo& c)
{
    QStringList parts{c.status.toUpper(), c.series, c.isFinal ? c.label : QStringLiteral("step %1").arg(c.label)};
    if (c.tokens)
        parts << QStringLiteral("%1B tokens").arg(*c.tokens / 1e9, 0, 'f', 0);
    if (!c.family.isEmpty())
        parts << c.family;
    if (c.parameters)
        parts << QStringLiteral("%1 params").arg(QLocale::c().toString(*c.parameters));
    if (!c.dtype.isEmpty())
        parts << c.dtype;
    if (c.bytes)
        parts << QLocale::c().formattedDataSize(*c.bytes, 1, QLocale::DataSizeSIFormat);
    parts << c.path;
    QString line = parts.join(QStringLiteral("  "));
    if (!c.statusDetail.isEmpty())
        line += QStringLiteral("  (%1)").arg(c.statusDetail);
    return line;
}

} // namespace

int runScan(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.addOptions({{QStringLiteral("project"), QStringLiteral("Project file (created if missing)."), QStringLiteral("P")}});
    parser.addPositionalArgument(QStringLiteral("folders"), QStringLiteral("Checkpoint folders or their parents."),
                                 QStringLiteral("DIR..."));
    if (!parser.parse(QStringList{QStringLiteral("scan")} + arguments))
        return fail(parser.errorText(), 2);
    if (!parser.isSet(QStringLiteral("project")))
        return fail(QStringLiteral("scan: --project is required"), 2);
    if (parser.positionalArguments().isEmpty())
        return fail(QStringLiteral("scan: name at least one folder"), 2);

    auto project = Project::open(parser.value(QStringLiteral("project")), Project::Mode::CreateIfMissing);
    if (!project)
        return fail(project.error());
    const CheckpointScan scan = scanCheckpointFolders(parser.positionalArguments());
    const auto report = recordCheckpointScan(project.value(), scan);
    if (!report)
        return fail(report.error());
    for (const CheckpointInfo& c : scan.checkpoints)
        print(describe(c));
    for (const RejectedFolder& r : scan.rejected)
        print(QStringLiteral("REJECTED  %1").arg(r.reason));
    print(report->summary());
    return scan.checkpoints.isEmpty() ? 1 : 0;
}

} // namespace ckptlab::cli
