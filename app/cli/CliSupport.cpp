#include "cli/CliCommand.h"

#include "project/SnapshotLoader.h"

#include <QCommandLineParser>
#include <QTextStream>

namespace ckptlab::cli {

int fail(const QString& message, int code)
{
    QTextStream(stderr) << "ckptlab-cli: " << message << '\n';
    return code;
}

void print(const QString& line)
{
    QTextStream out(stdout);
    out << line << '\n';
}

Outcome<OpenedProject> openProjectSnapshot(const QString& path)
{
    auto project = Project::open(path, Project::Mode::OpenExisting);
    if (!project)
        return Outcome<OpenedProject>::failure(project.error());
    auto snapshot = loadSnapshot(project.value());
    if (!snapshot)
        return Outcome<OpenedProject>::failure(snapshot.error());
    return OpenedProject{project.value(), std::move(snapshot).value()};
}

std::optional<int> positiveOption(const QCommandLineParser& parser, const QString& name, int fallback)
{
    if (!parser.isSet(name))
        return fallback;
    bool ok = false;
    const int v = parser.value(name).toInt(&ok);
    if (!ok || v <= 0)
        return std::nullopt;
    return v;
}

} // namespace ckptlab::cli
