#pragma once

#include "common/Outcome.h"
#include "jobs/RunExecutor.h"
#include "project/Project.h"
#include "project/ProjectTypes.h"

#include <QString>
#include <QStringList>

#include <optional>

class QCommandLineParser;

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
int runPlan(const QStringList& arguments);
int runRun(const QStringList& arguments);
int runDemo(const QStringList& arguments);
int runWorkerCommand(const QStringList& arguments);
int runCollect(const QStringList& arguments);
int runSubmit(const QStringList& arguments);
int runStatus(const QStringList& arguments);
int runCancel(const QStringList& arguments);

// Claims and executes queued runs on `device` until none is left (or maxRuns > 0 ran); Ctrl-C
// stops the current run within a step and leaves it queued, resumable. Returns the exit code.
int runQueuedRuns(const Project& project, const QString& device, int maxRuns, bool retryInterrupted,
                  RunControl& control);

// One-line error on stderr, exit code 2 for bad arguments, 1 for failures.
int fail(const QString& message, int code = 1);
void print(const QString& line);

// An existing project and everything in it, for the commands that read results.
struct OpenedProject {
    Project project;
    ResultSnapshot snapshot;
};
Outcome<OpenedProject> openProjectSnapshot(const QString& path);

// The option's value as a whole number > 0, `fallback` when it is not given, nullopt when bad.
std::optional<int> positiveOption(const QCommandLineParser& parser, const QString& name, int fallback);

} // namespace ckptlab::cli
