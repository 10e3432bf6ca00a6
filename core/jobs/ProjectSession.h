#pragma once

#include "ingest/ImportTypes.h"
#include "jobs/CheckpointScanner.h"
#include "jobs/DemoStudyJob.h"
#include "jobs/EvaluationJob.h"
#include "jobs/JobTracker.h"
#include "jobs/RunPlanner.h"
#include "project/Project.h"
#include "project/ProjectTypes.h"

#include <QObject>
#include <QPointer>

#include <functional>
#include <optional>

namespace ckptlab {

class RunQueue;

// The open project as the GUI sees it: the one Project handle, the in-memory snapshot the
// charts and tables read, the run queue of the project, and the background work that changes
// them (loads, imports, checkpoint scans, evaluations, plans, the demo study). The GUI thread
// never runs a query here: every job runs on the session's JobTracker, with its thread's own
// connection, and reports back on this thread with value types.
class ProjectSession : public QObject {
    Q_OBJECT
public:
    explicit ProjectSession(QObject* parent = nullptr);
    ~ProjectSession() override;

    // Opens the file (creating it when asked) and starts loading its results. The run queue
    // follows; opening the project it already runs leaves it running.
    Status open(const QString& path, Project::Mode mode = Project::Mode::OpenExisting);
    void close();
    bool isOpen() const { return m_project.has_value(); }
    QString path() const { return m_project ? m_project->path() : QString(); }

    const ResultSnapshot& snapshot() const { return m_snapshot; }
    // The queue of the open project (no project: an empty one). Owned by the session.
    RunQueue* runQueue() const { return m_runQueue; }
    // Loading, importing, scanning or evaluating.
    bool isBusy() const;

    Q_INVOKABLE void reload();
    // Imports result files and folders on a worker thread; the snapshot reloads afterwards.
    void importFiles(const QStringList& paths, const ImportOptions& options = {});
    void cancelImport();
    // Finds checkpoint folders under the given folders (headers only) and records them.
    void scanCheckpoints(const QStringList& folders);
    // Evaluates checkpoints on a worker thread; each finished evaluation lands in the project
    // and the snapshot reloads, so the charts fill in while it runs.
    void evaluate(const EvaluationPlan& plan);
    void cancelEvaluation();

    // Plans (ProjectSessionRuns.cpp). Costs a plan on a worker; a newer estimate cancels the one
    // in flight, whose answer is dropped. `done` is called on this thread while `receiver` lives.
    void estimatePlan(const RunPlanRequest& request, QObject* receiver,
                      std::function<void(Outcome<PlanEstimate>)> done);
    void cancelPlanEstimate();
    bool isEstimatingPlan() const;
    // Saves the plan and queues its runs on a worker; the run queue then looks for work.
    void queuePlan(const RunPlanRequest& request, const PlanEstimate& estimate, QObject* receiver,
                   std::function<void(Outcome<int>)> done);
    // Prepares the built-in demo study in the open project (jobs/DemoStudyJob.h): false without
    // a project or while one is being prepared. Reports demoStudy* signals.
    bool prepareDemoStudy();
    void cancelDemoStudy();
    bool isPreparingDemoStudy() const;

    // Blocks until every job of the session is done (tests, quitting).
    void waitForIdle();

signals:
    void snapshotChanged();
    void busyChanged(bool busy);
    void importProgress(int done, int total);
    void importFinished(const ckptlab::ImportReport& report);
    void importFailed(const QString& message);
    void loadFailed(const QString& message);
    void scanProgress(int done, int total);
    void scanFinished(const ckptlab::CheckpointScanReport& report);
    void scanFailed(const QString& message);
    void evaluationProgress(const ckptlab::EvaluationProgress& progress);
    void evaluationFinished(const ckptlab::EvaluationReport& report);
    void evaluationFailed(const QString& message);
    void demoStudyProgress(const QString& detail, double fraction);
    void demoStudyPrepared(int checkpoints, int tasks, int queuedRuns, const QString& dataFolder);
    void demoStudyFailed(const QString& message);

private:
    void onSnapshotLoaded(Outcome<ResultSnapshot> loaded);
    void onImportDone(const Outcome<ImportReport>& report);
    void onScanDone(const Outcome<CheckpointScanReport>& report);
    void onEvaluationProgress(const EvaluationProgress& progress);
    void onEvaluationDone(const Outcome<EvaluationReport>& report);
    void onDemoStudyDone(const Outcome<DemoStudyPrepared>& prepared);
    // Jobs that belong to the open project and make no sense for another one.
    void cancelProjectJobs();
    void setQueueProject();

    // `done` wrapped so it is dropped once `receiver` is gone.
    template <typename Result>
    static std::function<void(Result)> guarded(QObject* receiver, std::function<void(Result)> done)
    {
        return [receiver = QPointer<QObject>(receiver), done = std::move(done)](Result result) {
            if (receiver && done)
                done(std::move(result));
        };
    }

    std::optional<Project> m_project;
    ResultSnapshot m_snapshot;
    RunQueue* m_runQueue;
    bool m_reloadPending = false;
    int m_lastEvaluation = -1;
    JobTracker m_jobs;  // last: destroyed first, while the rest lives
};

} // namespace ckptlab

Q_DECLARE_METATYPE(ckptlab::ImportReport)
Q_DECLARE_METATYPE(ckptlab::CheckpointScanReport)
Q_DECLARE_METATYPE(ckptlab::EvaluationProgress)
Q_DECLARE_METATYPE(ckptlab::EvaluationReport)
