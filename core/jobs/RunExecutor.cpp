#include "jobs/RunExecutor.h"

#include "jobs/RunCollector.h"
#include "jobs/RunDirectory.h"

#include <QElapsedTimer>

namespace ckptlab {

namespace {

// Progress to the caller, and to the run row at most once a second, with the loss curve so far.
class RowProgress {
public:
    RowProgress(const Project& project, const std::function<void(const RunProgress&)>& callback)
        : m_store(project.database()), m_callback(callback)
    {
        m_lastSaved.start();
    }

    void operator()(const RunProgress& p)
    {
        if (p.phase == RunPhase::Training && p.step > m_lossCurve.size())
            m_lossCurve.push_back(p.loss);
        if (m_callback)
            m_callback(p);
        if (p.phase != m_lastPhase || p.paused != m_lastPaused || m_lastSaved.elapsed() >= 1000) {
            m_store.updateProgress(p.runId, p.fraction, p.detail, m_lossCurve);
            m_lastSaved.restart();
            m_lastPhase = p.phase;
            m_lastPaused = p.paused;
        }
    }

private:
    RunStore m_store;
    std::function<void(const RunProgress&)> m_callback;
    QVector<double> m_lossCurve;
    QElapsedTimer m_lastSaved;
    RunPhase m_lastPhase = RunPhase::Finished;
    bool m_lastPaused = false;
};

} // namespace

RunOutcome executeRun(const Project& project, const RunRecord& run, const QString& device,
                      const std::function<void(const RunProgress&)>& progress, RunControl& control)
{
    QElapsedTimer clock;
    clock.start();
    RunOutcome outcome;
    outcome.runId = run.id;
    outcome.title = run.title;
    RunStore store(project.database());
    const QString runDir = runDirectory(project, run.id);
    if (Status s = ensureRunSpec(runDir, run); !s) {
        outcome.error = s.error();
        store.finish(run.id, RunState::Failed, outcome.error, QString(), {});
        return outcome;
    }
    store.setOutputDir(run.id, runDir);
    RowProgress rowProgress(project, progress);
    const WorkerReport worked = runWorker(runDir, device, [&](const RunProgress& p) { rowProgress(p); }, control);
    const auto collected = collectRun(project, run.id, runDir);
    outcome.seconds = clock.elapsed() / 1000.0;
    outcome.lossCurve = worked.lossCurve;
    if (!collected) {
        outcome.error = collected.error();
        store.finish(run.id, RunState::Failed, outcome.error, QString(), worked.lossCurve);
        return outcome;
    }
    outcome.state = collected->state == RunState::Running ? RunState::Failed : collected->state;
    outcome.error = collected->state == RunState::Running ? worked.error : collected->error;
    outcome.resultsWritten = collected->resultsWritten;
    if (outcome.state == RunState::Done && progress) {
        RunProgress done;
        done.runId = run.id;
        done.title = run.title;
        done.device = device;
        done.phase = RunPhase::Finished;
        done.fraction = 1.0;
        done.detail = collected->detail;
        progress(done);
    }
    return outcome;
}

} // namespace ckptlab
