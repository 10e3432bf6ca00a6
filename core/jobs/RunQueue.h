#pragma once

// The fine-tuning queue of the open project as the GUI drives it: one executor thread per
// device (each CUDA device, else the CPU), each with its own DB connection, taking queued runs
// in order and executing them (jobs/RunExecutor.h). Pause holds every executor after its
// current step; cancel stops a run within a step; retry, reorder and remove act on the rows.
// Progress, finished runs and the drained queue arrive as queued signals carrying values.

#include "jobs/RunExecutor.h"
#include "project/Project.h"
#include "project/RunStore.h"

#include <QFutureWatcher>
#include <QObject>
#include <QStringList>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace ckptlab {

class RunQueue : public QObject {
    Q_OBJECT
public:
    explicit RunQueue(QObject* parent = nullptr);
    ~RunQueue() override; // stops running runs (back in the queue, resumable) and joins the executors

    // Stops executors of the previous project; marks runs a dead process left `running` as
    // interrupted; loads the run list.
    void setProject(const std::optional<Project>& project);

    // "cpu", then "cuda:0", ... as libtorch sees them.
    static QStringList computeDevices();

    // Starts one executor per device (empty: every CUDA device, else "cpu"). Idempotent.
    void start(const QStringList& devices = {});
    // Stops what runs within a step and puts it back in the queue (it resumes from its saved
    // state), then stops the executors.
    void stop();
    bool isStarted() const { return !m_workers.empty(); }
    QStringList devices() const;

    void pause();
    void resume();
    bool isPaused() const;

    // A running run stops within a step; a queued one is marked cancelled.
    void cancelRun(RowId id);
    void retry(const QVector<RowId>& ids);
    void move(RowId id, int delta);
    void remove(const QVector<RowId>& ids);
    // Wakes idle executors (after a plan was queued) and reloads the list.
    void queueChanged();

    void refresh();                                  // reloads the run list on a worker thread
    const QVector<RunRecord>& runs() const { return m_runs; }
    // Runs executing now, by id, with their latest progress.
    const QHash<RowId, RunProgress>& live() const { return m_live; }

    void waitForIdle();                              // tests: until every executor has no run

signals:
    void runsChanged();
    void runProgress(const ckptlab::RunProgress& progress);
    void runFinished(const ckptlab::RunOutcome& outcome);
    void resultsWritten();                           // a run's results landed: reload charts
    void drained(int done, int failed);              // the queue emptied after running something
    void errorOccurred(const QString& message);
    void startedChanged(bool started);
    void pausedChanged(bool paused);

private:
    struct Worker;
    void workerLoop(Worker* worker);
    bool stopping();
    void onProgress(const RunProgress& progress);
    void onFinished(const RunOutcome& outcome);
    void onIdle();

    std::optional<Project> m_project;
    std::vector<std::unique_ptr<Worker>> m_workers;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::atomic<bool> m_paused{false};
    QVector<RunRecord> m_runs;
    QHash<RowId, RunProgress> m_live;
    QFutureWatcher<Outcome<QVector<RunRecord>>> m_loadWatcher;
    bool m_reloadPending = false;
    int m_doneSinceDrain = 0;
    int m_failedSinceDrain = 0;
};

} // namespace ckptlab
