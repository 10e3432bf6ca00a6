#include "jobs/ProjectSession.h"

#include "ingest/ResultImporter.h"
#include "jobs/RunQueue.h"
#include "project/SnapshotLoader.h"

#include <QPair>

namespace ckptlab {

namespace {

// Job kinds. A newer job of a kind replaces the one in flight (the tracker's rule); imports,
// scans, evaluations and the demo study are refused instead while one runs.
const QString kLoadJob = QStringLiteral("load");
const QString kImportJob = QStringLiteral("import");
const QString kScanJob = QStringLiteral("scan");
const QString kEvaluationJob = QStringLiteral("evaluate");

using Counts = QPair<int, int>; // done, total

} // namespace

ProjectSession::ProjectSession(QObject* parent) : QObject(parent), m_runQueue(new RunQueue(this))
{
    qRegisterMetaType<ckptlab::ImportReport>();
    qRegisterMetaType<ckptlab::CheckpointScanReport>();
    qRegisterMetaType<ckptlab::EvaluationProgress>();
    qRegisterMetaType<ckptlab::EvaluationReport>();
}

ProjectSession::~ProjectSession()
{
    // What the jobs still deliver only settles them: whoever listened may be half destroyed.
    blockSignals(true);
    cancelProjectJobs();
    cancelImport();
    cancelEvaluation();
    waitForIdle();
}

Status ProjectSession::open(const QString& path, Project::Mode mode)
{
    auto project = Project::open(path, mode);
    if (!project)
        return Status::failure(project.error());
    const bool samePath = m_project && m_project->path() == project->path();
    if (!samePath)
        cancelProjectJobs();
    waitForIdle();
    if (m_project && !samePath)
        m_project->closeThreadConnection();
    m_project = project.value();
    m_snapshot = ResultSnapshot{};
    emit snapshotChanged();
    reload();
    setQueueProject();
    return success();
}

void ProjectSession::close()
{
    cancelProjectJobs();
    cancelImport();
    waitForIdle();
    if (m_project)
        m_project->closeThreadConnection();
    m_project.reset();
    m_snapshot = ResultSnapshot{};
    emit snapshotChanged();
    setQueueProject();
}

bool ProjectSession::isBusy() const
{
    for (const QString& kind : {kLoadJob, kImportJob, kScanJob, kEvaluationJob})
        if (m_jobs.isRunning(kind))
            return true;
    return m_reloadPending;
}

void ProjectSession::waitForIdle()
{
    m_jobs.waitForIdle();
}

void ProjectSession::reload()
{
    if (!m_project)
        return;
    if (m_jobs.isRunning(kLoadJob)) {
        m_reloadPending = true; // one load at a time; the latest state is loaded after it
        return;
    }
    const Project project = *m_project;
    m_jobs.start<Outcome<ResultSnapshot>>(kLoadJob, [project](JobContext&) { return loadSnapshot(project); },
                                          [this](Outcome<ResultSnapshot> loaded) { onSnapshotLoaded(std::move(loaded)); });
    emit busyChanged(true);
}

void ProjectSession::onSnapshotLoaded(Outcome<ResultSnapshot> loaded)
{
    if (m_reloadPending) {
        m_reloadPending = false;
        reload();
        return;
    }
    if (loaded) {
        m_snapshot = std::move(loaded).value();
        emit snapshotChanged();
    } else {
        emit loadFailed(loaded.error());
    }
    emit busyChanged(isBusy());
}

void ProjectSession::importFiles(const QStringList& paths, const ImportOptions& options)
{
    if (!m_project) {
        emit importFailed(tr("Open or create a project before importing results."));
        return;
    }
    if (m_jobs.isRunning(kImportJob)) {
        emit importFailed(tr("An import is already running; wait for it to finish."));
        return;
    }
    const Project project = *m_project;
    m_jobs.start<Outcome<ImportReport>, Counts>(
        kImportJob,
        [project, paths, options](JobContext& job, const std::function<void(const Counts&)>& progress) {
            return importResults(project, paths, options, [&](int done, int total) {
                progress(Counts(done, total));
                return !job.cancelled();
            });
        },
        [this](Outcome<ImportReport> report) { onImportDone(report); },
        [this](Counts counts) { emit importProgress(counts.first, counts.second); });
    emit busyChanged(true);
}

void ProjectSession::cancelImport()
{
    m_jobs.cancel(kImportJob);
}

void ProjectSession::onImportDone(const Outcome<ImportReport>& report)
{
    if (report) {
        if (report->written)
            reload();
        emit importFinished(report.value());
    } else {
        emit importFailed(report.error());
    }
    emit busyChanged(isBusy());
}

void ProjectSession::scanCheckpoints(const QStringList& folders)
{
    if (!m_project) {
        emit scanFailed(tr("Open or create a project before adding checkpoints."));
        return;
    }
    if (m_jobs.isRunning(kScanJob)) {
        emit scanFailed(tr("A scan is already running; wait for it to finish."));
        return;
    }
    const Project project = *m_project;
    m_jobs.start<Outcome<CheckpointScanReport>, Counts>(
        kScanJob,
        [project, folders](JobContext&, const std::function<void(const Counts&)>& progress) {
            const CheckpointScan scan = scanCheckpointFolders(folders, [&](int done, int total) {
                progress(Counts(done, total));
                return true;
            });
            return recordCheckpointScan(project, scan);
        },
        [this](Outcome<CheckpointScanReport> report) { onScanDone(report); },
        [this](Counts counts) { emit scanProgress(counts.first, counts.second); });
    emit busyChanged(true);
}

void ProjectSession::onScanDone(const Outcome<CheckpointScanReport>& report)
{
    if (report) {
        if (report->recorded > 0)
            reload();
        emit scanFinished(report.value());
    } else {
        emit scanFailed(report.error());
    }
    emit busyChanged(isBusy());
}

void ProjectSession::evaluate(const EvaluationPlan& plan)
{
    if (!m_project) {
        emit evaluationFailed(tr("Open a project before evaluating."));
        return;
    }
    if (m_jobs.isRunning(kEvaluationJob)) {
        emit evaluationFailed(tr("An evaluation is already running; wait for it or cancel it."));
        return;
    }
    const Project project = *m_project;
    m_lastEvaluation = -1;
    m_jobs.start<Outcome<EvaluationReport>, EvaluationProgress>(
        kEvaluationJob,
        [project, plan](JobContext& job, const std::function<void(const EvaluationProgress&)>& progress) {
            return runEvaluation(project, plan, progress, job.cancelFlag());
        },
        [this](Outcome<EvaluationReport> report) { onEvaluationDone(report); },
        [this](EvaluationProgress progress) { onEvaluationProgress(progress); });
    emit busyChanged(true);
}

void ProjectSession::onEvaluationProgress(const EvaluationProgress& progress)
{
    emit evaluationProgress(progress);
    // An evaluation finished and was written: let the charts show it.
    if (progress.evaluation != m_lastEvaluation && m_lastEvaluation >= 0)
        reload();
    m_lastEvaluation = progress.evaluation;
}

void ProjectSession::cancelEvaluation()
{
    m_jobs.cancel(kEvaluationJob);
}

void ProjectSession::onEvaluationDone(const Outcome<EvaluationReport>& report)
{
    reload();
    if (report)
        emit evaluationFinished(report.value());
    else
        emit evaluationFailed(report.error());
    emit busyChanged(isBusy());
}

} // namespace ckptlab
