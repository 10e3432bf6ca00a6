#pragma once

// The fine-tuning queue of the open project as the GUI drives it: one executor per device
// (each CUDA device, else the CPU), each a long job on the queue's JobTracker draining the queue
// (jobs/RunDrain.h) with its thread's own DB connection. Pause holds every executor after its
// current step; cancel stops a run within a step; retry, reorder and remove act on the rows.
// Every read and write of the run table runs on a worker: edits one after another, in the
// order they were asked for, the run list reloaded after them. Progress, finished runs and the
// drained queue arrive as queued signals carrying values.

#include "jobs/JobTracker.h"
#include "jobs/RunExecutor.h"
#include "jobs/SlurmCluster.h"
#include "project/Project.h"
#include "project/RunTypes.h"

#include <QHash>
#include <QObject>
#include <QQueue>
#include <QStringList>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace ckptlab {

class RunStore;

class RunQueue : public QObject {
    Q_OBJECT
public:
    explicit RunQueue(QObject* parent = nullptr);
    ~RunQueue() override; // stops running runs (back in the queue, resumable) and waits for the executors

    // Stops executors of the previous project; marks runs a dead process left `running` as
    // interrupted; loads the run list (both on a worker).
    void setProject(const std::optional<Project>& project);
    bool hasProject() const { return m_project.has_value(); }
    QString projectPath() const { return m_project ? m_project->path() : QString(); }

    // "cpu", then "cuda:0", ... as libtorch sees them.
    static QStringList computeDevices();

    // Starts one executor per device (empty: every CUDA device, else "cpu"). Idempotent.
    void start(const QStringList& devices = {});
    // Stops what runs within a step and puts it back in the queue (it resumes from its saved
    // state), then waits for the executors.
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

    // The cluster (jobs/SlurmCluster.h): submits every queued run as one Slurm job array; its
    // runs are then tracked (squeue) and collected every few seconds while any is on the cluster.
    void submitToCluster();
    void trackCluster();
    const SlurmSettings& clusterSettings() const { return m_clusterSettings; }
    void setClusterSettings(const SlurmSettings& settings);   // saved with the project
    bool hasClusterRuns() const;                               // running on Slurm now

    // Tests: until every executor has no run and the edits and the reload are done.
    void waitForIdle();

signals:
    void runsChanged();
    void runProgress(const ckptlab::RunProgress& progress);
    void runFinished(const ckptlab::RunOutcome& outcome);
    void resultsWritten();                           // a run's results landed: reload charts
    void drained(int done, int failed);              // the queue emptied after running something
    void errorOccurred(const QString& message);
    void startedChanged(bool started);
    void pausedChanged(bool paused);
    void clusterMessage(const QString& message);     // submitted, collected, interrupted ...

private:
    struct Worker;
    struct Shared;
    struct ExecutorEvent;
    using Edit = std::function<Status(RunStore&)>;
    struct PendingEdit {
        Edit apply;
        bool wake = false;                           // executors look for work afterwards
    };

    using ExecutorWork = std::function<int(JobContext&, const std::function<void(const ExecutorEvent&)>&)>;

    // One device's executor loop, run as a long job.
    ExecutorWork executorWork(std::shared_ptr<Worker> worker) const;
    // Queues a write of the run table; edits run one at a time, the list reloads after the last.
    void edit(Edit apply, bool wake = false);
    void startNextEdit();
    void onExecutorEvent(const ExecutorEvent& event);
    void onProgress(const RunProgress& progress);
    void onFinished(const RunOutcome& outcome);
    void onIdle();
    void setUpCluster();
    void stopClusterJobs();                          // before the project changes
    void loadClusterSettings();

    std::optional<Project> m_project;
    std::vector<std::shared_ptr<Worker>> m_workers;
    std::shared_ptr<Shared> m_shared;                // what the executors and this thread share
    QVector<RunRecord> m_runs;
    QHash<RowId, RunProgress> m_live;
    QQueue<PendingEdit> m_edits;                     // waiting for the one that runs
    int m_doneSinceDrain = 0;
    int m_failedSinceDrain = 0;
    SlurmSettings m_clusterSettings;
    QTimer m_clusterTimer;
    JobTracker m_jobs;                               // last: destroyed first, while the rest lives
};

} // namespace ckptlab
