#pragma once

// Runs the real ckptlab-cli (CKPTLAB_CLI, set by the test's CMake) and returns its exit code
// and output, for the suites that test the command line end to end.

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace ckptlab::testing {

struct CliRun {
    int code = -1;      // -1 when it crashed or did not finish in time
    QString out;
    QString err;
};

inline CliRun cli(const QStringList& arguments, const QByteArray& input = {}, int timeoutMs = 300000)
{
    QProcess p;
    p.start(QStringLiteral(CKPTLAB_CLI), arguments);
    p.waitForStarted();
    p.write(input);
    p.closeWriteChannel();
    p.waitForFinished(timeoutMs);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

} // namespace ckptlab::testing
