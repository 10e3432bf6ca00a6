#pragma once

#include <QString>
#include <QStringList>

#include <cstdio>

namespace ckptlab::cli {

// Each sub-command takes its own arguments (after the command word) and returns the exit code.
int runImport(const QStringList& arguments);
int runList(const QStringList& arguments);
int runPlot(const QStringList& arguments);
int runInfo(const QStringList& arguments);
int runScan(const QStringList& arguments);
int runInspect(const QStringList& arguments);
int runForward(const QStringList& arguments);
int runEval(const QStringList& arguments);
int runTokenize(const QStringList& arguments);
int runDetokenize(const QStringList& arguments);

// One-line error on stderr, exit code 2 for bad arguments, 1 for failures.
int fail(const QString& message, int code = 1);
void print(const QString& line);

} // namespace ckptlab::cli
