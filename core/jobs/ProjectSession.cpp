#include "jobs/ProjectSession.h"

#include "ingest/ResultImporter.h"
#include "project/SnapshotLoader.h"

#include <QCoreApplication>
#include <QPointer>
#include <QtConcurrent/QtConcurrentRun>

namespace ckptlab {

ProjectSession::ProjectSession(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<ckptlab::ImportReport>();
    qRegisterMetaType<ckptlab::CheckpointScanReport>();
    qRegisterMetaType<ckptlab::EvaluationProgress>();
    qRegisterMetaType<ckptlab::EvaluationReport>();
    connect(&m_evaluationWatcher, &QFutureWatcherBase::finished, this, &ProjectSession::onEvaluationDone);
    connect(&m_scanWatcher, &QFutureWatcherBase::finished, this, &ProjectSession::onScanDone);
    connect(&m_loadWatcher, &QFutureWatcherBase::finished, this, &ProjectSession::onSnapshotLoaded);
    connect(&m_importWatcher, &QFutureWatcherBase::finished, this, &ProjectSession::onImportDone);
}

ProjectSession::~ProjectSession()
{
    cancelEvaluation();
    cancelImport();
    waitForIdle();
}

Status ProjectSession::open(const QString& path, Project::Mode mode)
{
    auto project = Project::open(path, mode);
    if (!project)
        return Status::failure(project.error());
    waitForIdle();
    if (m_project && m_project->path() != project->path())
        m_project->closeThreadConnection();
    m_project = project.value();
    m_snapshot = ResultSnapshot{};
    emit snapshotChanged();
    reload();
    return success();
}

void ProjectSession::close()
{
    cancelImport();
    waitForIdle();
    if (m_project)
        m_project->closeThreadConnection();
    m_project.reset();
    m_snapshot = ResultSnapshot{};
    emit snapshotChanged();
}

bool ProjectSession::isBusy() const
{
    return m_loading || m_importing || m_scanning || m_evaluating;
}

void ProjectSession::reload()
{
    if (!m_project)
        return;
    if (m_loading) {
        m_reloadPending = true;
        return;
    }
    const Project project = *m_project;
    m_loading = true;
    m_loadWatcher.setFuture(QtConcurrent::run([project] {
        auto snapshot = loadSnapshot(project);
        project.closeThreadConnection();
        return snapshot;
    }));
    emit busyChanged(true);
}

void ProjectSession::onSnapshotLoaded()
{
    Outcome<ResultSnapshot> loaded = m_loadWatcher.result();
    m_loading = false;
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
    if (m_importing) {
        emit importFailed(tr("An import is already running; wait for it to finish."));
        return;
    }
    const Project project = *m_project;
    auto cancel = std::make_shared<std::atomic_bool>(false);
    m_cancelImport = cancel;
    QPointer<ProjectSession> self(this);
    m_importing = true;
    m_importWatcher.setFuture(QtConcurrent::run([project, paths, options, cancel, self] {
        auto report = importResults(project, paths, options, [&](int done, int total) {
            if (self)
                QMetaObject::invokeMethod(self.data(), "importProgress", Qt::QueuedConnection, Q_ARG(int, done),
                                          Q_ARG(int, total));
            return !cancel->load();
        });
        project.closeThreadConnection();
        return report;
    }));
    emit busyChanged(true);
}

void ProjectSession::cancelImport()
{
    if (m_cancelImport)
        m_cancelImport->store(true);
}

void ProjectSession::onImportDone()
{
    const Outcome<ImportReport> report = m_importWatcher.result();
    m_importing = false;
    m_cancelImport.reset();
    if (report) {
        if (report->written)
            reload();
        emit importFinished(report.value());
    } else {
        emit importFailed(report.error());
    }
    emit busyChanged(isBusy());
}

void ProjectSession::waitForIdle()
{
    // Finished futures still owe their finished() signal; deliver it so state is consistent.
    while (isBusy() || m_reloadPending) {
        m_importWatcher.waitForFinished();
        m_scanWatcher.waitForFinished();
        m_evaluationWatcher.waitForFinished();
        m_loadWatcher.waitForFinished();
        QCoreApplication::sendPostedEvents();
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
    }
}

} // namespace ckptlab

namespace ckptlab {

void ProjectSession::scanCheckpoints(const QStringList& folders)
{
    if (!m_project) {
        emit scanFailed(tr("Open or create a project before adding checkpoints."));
        return;
    }
    if (m_scanning) {
        emit scanFailed(tr("A scan is already running; wait for it to finish."));
        return;
    }
    const Project project = *m_project;
    QPointer<ProjectSession> self(this);
    m_scanning = true;
    m_scanWatcher.setFuture(QtConcurrent::run([project, folders, self] {
        const CheckpointScan scan = scanCheckpointFolders(folders, [&](int done, int total) {
            if (self)
                QMetaObject::invokeMethod(self.data(), "scanProgress", Qt::QueuedConnection, Q_ARG(int, done),
                                          Q_ARG(int, total));
            return true;
        });
        auto report = recordCheckpointScan(project, scan);
        project.closeThreadConnection();
        return report;
    }));
    emit busyChanged(true);
}

void ProjectSession::onScanDone()
{
    const Outcome<CheckpointScanReport> report = m_scanWatcher.result();
    m_scanning = false;
    if (report) {
        if (report->recorded > 0)
            reload();
        emit scanFinished(report.value());
    } else {
        emit scanFailed(report.error());
    }
    emit busyChanged(isBusy());
}

} // namespace ckptlab

namespace ckptlab {

void ProjectSession::evaluate(const EvaluationPlan& plan)
{
    if (!m_project) {
        emit evaluationFailed(tr("Open a project before evaluating."));
        return;
    }
    if (m_evaluating) {
        emit evaluationFailed(tr("An evaluation is already running; wait for it or cancel it."));
        return;
    }
    const Project project = *m_project;
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    m_cancelEvaluation = cancel;
    QPointer<ProjectSession> self(this);
    m_evaluating = true;
    m_evaluationWatcher.setFuture(QtConcurrent::run([project, plan, cancel, self] {
        int lastEvaluation = -1;
        auto report = runEvaluation(project, plan, [&](const EvaluationProgress& p) {
            if (!self)
                return;
            QMetaObject::invokeMethod(self.data(), "evaluationProgress", Qt::QueuedConnection,
                                      Q_ARG(ckptlab::EvaluationProgress, p));
            // An evaluation finished and was written: let the charts show it.
            if (p.evaluation != lastEvaluation && lastEvaluation >= 0)
                QMetaObject::invokeMethod(self.data(), "reload", Qt::QueuedConnection);
            lastEvaluation = p.evaluation;
        }, cancel.get());
        project.closeThreadConnection();
        return report;
    }));
    emit busyChanged(true);
}

void ProjectSession::cancelEvaluation()
{
    if (m_cancelEvaluation)
        m_cancelEvaluation->store(true);
}

void ProjectSession::onEvaluationDone()
{
    const Outcome<EvaluationReport> report = m_evaluationWatcher.result();
    m_evaluating = false;
    m_cancelEvaluation.reset();
    reload();
    if (report)
        emit evaluationFinished(report.value());
    else
        emit evaluationFailed(report.error());
    emit busyChanged(isBusy());
}

} // namespace ckptlab
