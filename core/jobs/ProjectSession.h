#pragma once

#include "jobs/CheckpointScanner.h"
#include "ingest/ImportTypes.h"
#include "jobs/EvaluationJob.h"
#include "project/Project.h"
#include "project/ProjectTypes.h"

#include <QFutureWatcher>
#include <QObject>

#include <atomic>
#include <memory>
#include <optional>

namespace ckptlab {

// The open project as the GUI sees it: the in-memory snapshot the charts and tables read,
// and the background work that changes it (imports, reloads). The GUI thread never runs a
// query here; loads and imports run on worker threads with their own connections and report
// back through queued signals carrying value types.
class ProjectSession : public QObject {
    Q_OBJECT
public:
    explicit ProjectSession(QObject* parent = nullptr);
    ~ProjectSession() override;

    // Opens the file (creating it when asked) and starts loading its results.
    Status open(const QString& path, Project::Mode mode = Project::Mode::OpenExisting);
    void close();
    bool isOpen() const { return m_project.has_value(); }
    QString path() const { return m_project ? m_project->path() : QString(); }

    const ResultSnapshot& snapshot() const { return m_snapshot; }
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
    // Blocks until the running import and load are done (tests, quitting).
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

private:
    void onSnapshotLoaded();
    void onImportDone();
    void onScanDone();
    void onEvaluationDone();

    std::optional<Project> m_project;
    ResultSnapshot m_snapshot;
    QFutureWatcher<Outcome<ResultSnapshot>> m_loadWatcher;
    QFutureWatcher<Outcome<ImportReport>> m_importWatcher;
    QFutureWatcher<Outcome<CheckpointScanReport>> m_scanWatcher;
    QFutureWatcher<Outcome<EvaluationReport>> m_evaluationWatcher;
    std::shared_ptr<std::atomic<bool>> m_cancelEvaluation;
    std::shared_ptr<std::atomic_bool> m_cancelImport;
    bool m_reloadPending = false;
    // True from starting a worker until its finished() has been handled on this thread.
    bool m_loading = false;
    bool m_importing = false;
    bool m_scanning = false;
    bool m_evaluating = false;
};

} // namespace ckptlab

Q_DECLARE_METATYPE(ckptlab::ImportReport)
Q_DECLARE_METATYPE(ckptlab::CheckpointScanReport)
Q_DECLARE_METATYPE(ckptlab::EvaluationProgress)
Q_DECLARE_METATYPE(ckptlab::EvaluationReport)
