#pragma once

// The one claim -> execute -> release loop over a project's queue, on the calling thread: the
// GUI's executors (jobs/RunQueue.h, one per device, as long JobTracker jobs) and
// `ckptlab-cli run` both drain the queue through it and differ only in their callbacks.
//
// Each turn: beforeClaim, then (unless stopRequested) claim the next queued run for the
// device, execute it (jobs/RunExecutor.h) and report it. A run that stopped because
// stopRequested turned true (not the user's cancel) goes back in the queue at its place and
// resumes from its saved state next time ("released"); the drain then ends.

#include "jobs/RunExecutor.h"
#include "project/Project.h"
#include "project/RunTypes.h"

#include <QString>

#include <functional>

namespace ckptlab {

struct RunDrainCallbacks {
    // True once whoever drives the drain wants it to end. Checked before each claim and when a
    // run comes back cancelled. Set RunControl::cancel too, so a running run stops in a step.
    std::function<bool()> stopRequested;
    // Before each claim; may block (the GUI's executors hold here while the queue is paused).
    std::function<void()> beforeClaim;
    // No queued run for the device: true to look again (after waiting), false to end. Unset: end.
    std::function<bool()> queueEmpty;
    // Claiming failed: true to try again (after waiting), false to end with the error. Unset: end.
    std::function<bool(const QString& error)> claimFailed;
    // A run was claimed and is about to execute.
    std::function<void(const RunRecord& run)> started;
    std::function<void(const RunProgress& progress)> progress;
    // A run ended; `released` when it went back in the queue (stopped from outside).
    std::function<void(const RunRecord& run, const RunOutcome& outcome, bool released)> finished;
};

struct RunDrainReport {
    int executed = 0;   // runs claimed and executed, a released one included
    int failed = 0;
    bool stopped = false; // ended by stopRequested
    QString error;        // claiming failed (and claimFailed said to end)
};

// Claims and executes runs for `device` until the callbacks end it, none is left, or maxRuns
// (when > 0) were executed. `control` steers the run in flight (cancel, pause).
RunDrainReport drainRuns(const Project& project, const QString& device, RunControl& control,
                         const RunDrainCallbacks& callbacks, int maxRuns = 0);

} // namespace ckptlab
