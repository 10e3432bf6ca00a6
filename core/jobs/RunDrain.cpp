#include "jobs/RunDrain.h"

#include "project/RunStore.h"

namespace ckptlab {

RunDrainReport drainRuns(const Project& project, const QString& device, RunControl& control,
                         const RunDrainCallbacks& callbacks, int maxRuns)
{
    RunDrainReport report;
    RunStore store(project.database());
    const QString owner = currentRunOwner();
    const auto stopRequested = [&] { return callbacks.stopRequested && callbacks.stopRequested(); };
    while (maxRuns <= 0 || report.executed < maxRuns) {
        if (callbacks.beforeClaim)
            callbacks.beforeClaim();
        if (stopRequested()) {
            report.stopped = true;
            break;
        }
        const auto claimed = store.claimNext(device, owner);
        if (!claimed) {
            if (callbacks.claimFailed && callbacks.claimFailed(claimed.error()))
                continue;
            report.error = claimed.error();
            break;
        }
        if (!claimed.value()) {
            if (callbacks.queueEmpty && callbacks.queueEmpty())
                continue;
            break;
        }
        const RunRecord run = *claimed.value();
        control.cancel = stopRequested(); // a stop that came while claiming stops it at once
        if (callbacks.started)
            callbacks.started(run);
        const RunOutcome outcome = executeRun(project, run, device, callbacks.progress, control);
        ++report.executed;
        // Stopped from outside, not by the user's cancel: back in the queue at its place.
        const bool released = outcome.state == RunState::Cancelled && stopRequested();
        if (released)
            store.release(run.id);
        else if (outcome.state == RunState::Failed)
            ++report.failed;
        if (callbacks.finished)
            callbacks.finished(run, outcome, released);
        if (released) {
            report.stopped = true;
            break;
        }
    }
    return report;
}

} // namespace ckptlab
