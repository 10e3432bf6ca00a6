// ProjectSession's fine-tuning part: the run queue of the open project, costing and queuing
// plans, and the demo study. The rest of the session is in ProjectSession.cpp.

#include "jobs/ProjectSession.h"

#include "jobs/RunQueue.h"

#include <QElapsedTimer>

namespace ckptlab {

namespace {

const QString kEstimateJob = QStringLiteral("plan-estimate");
const QString kQueuePlanJob = QStringLiteral("plan-queue");
const QString kDemoJob = QStringLiteral("demo-study");

// The demo study's progress reaches the GUI thread a few times a second, phase changes always.
constexpr qint64 kDemoProgressIntervalMs = 200;

} // namespace

void ProjectSession::setQueueProject()
{
    // Opening the project again must not cancel what its queue is running.
    if (m_project && m_runQueue->isStarted() && m_runQueue->projectPath() == m_project->path())
        return;
    m_runQueue->setProject(m_project);
}

void ProjectSession::cancelProjectJobs()
{
    cancelPlanEstimate();
    cancelDemoStudy();
}

void ProjectSession::estimatePlan(const RunPlanRequest& request, QObject* receiver,
                                  std::function<void(Outcome<PlanEstimate>)> done)
{
    auto answer = guarded<Outcome<PlanEstimate>>(receiver, std::move(done));
    if (!m_project) {
        m_jobs.cancel(kEstimateJob);
        answer(Outcome<PlanEstimate>::failure(tr("Open a project before planning.")));
        return;
    }
    const Project project = *m_project;
    m_jobs.start<Outcome<PlanEstimate>>(kEstimateJob, [project, request](JobContext& job) {
        return ckptlab::estimatePlan(project, request, job.cancelFlag());
    }, std::move(answer));
}

void ProjectSession::cancelPlanEstimate()
{
    m_jobs.cancel(kEstimateJob);
}

bool ProjectSession::isEstimatingPlan() const
{
    return m_jobs.isRunning(kEstimateJob);
}

void ProjectSession::queuePlan(const RunPlanRequest& request, const PlanEstimate& estimate, QObject* receiver,
                               std::function<void(Outcome<int>)> done)
{
    auto answer = guarded<Outcome<int>>(receiver, std::move(done));
    if (!m_project) {
        answer(Outcome<int>::failure(tr("Open a project before queuing runs.")));
        return;
    }
    const Project project = *m_project;
    // Unique kinds: two plans queued one after the other are both saved.
    static quint64 next = 0;
    m_jobs.start<Outcome<int>>(kQueuePlanJob + QString::number(++next), [project, request, estimate](JobContext&) {
        return ckptlab::queuePlan(project, request, estimate);
    }, [this, answer](Outcome<int> queued) {
        if (queued)
            m_runQueue->queueChanged();
        answer(std::move(queued));
    });
}

bool ProjectSession::prepareDemoStudy()
{
    if (!m_project || m_jobs.isRunning(kDemoJob))
        return false;
    const Project project = *m_project;
    m_jobs.start<Outcome<DemoStudyPrepared>, DemoStudyProgress>(
        kDemoJob,
        [project](JobContext& job, const std::function<void(const DemoStudyProgress&)>& progress) {
            QElapsedTimer sinceReport;
            QString lastPhase;
            return ckptlab::prepareDemoStudy(project, [&](const DemoStudyProgress& p) {
                if (p.phase == lastPhase && sinceReport.isValid() && sinceReport.elapsed() < kDemoProgressIntervalMs)
                    return;
                lastPhase = p.phase;
                sinceReport.restart();
                progress(p);
            }, job.cancelFlag());
        },
        [this](Outcome<DemoStudyPrepared> prepared) { onDemoStudyDone(prepared); },
        [this](DemoStudyProgress p) { emit demoStudyProgress(p.detail, p.fraction); });
    return true;
}

void ProjectSession::cancelDemoStudy()
{
    m_jobs.cancel(kDemoJob);
}

bool ProjectSession::isPreparingDemoStudy() const
{
    return m_jobs.isRunning(kDemoJob);
}

void ProjectSession::onDemoStudyDone(const Outcome<DemoStudyPrepared>& prepared)
{
    if (!prepared) {
        emit demoStudyFailed(prepared.error());
        return;
    }
    reload();
    m_runQueue->queueChanged();
    emit demoStudyPrepared(prepared->checkpoints, prepared->tasks, prepared->queuedRuns, prepared->dataFolder);
}

} // namespace ckptlab
