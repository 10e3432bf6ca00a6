#include "cli/CliCommand.h"

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

} // namespace ckptlab::cli
