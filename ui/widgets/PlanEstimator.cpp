#include "widgets/PlanEstimator.h"


#include <QtConcurrent/QtConcurrentRun>

namespace ckptlab {

PlanEstimator::PlanEstimator(const Project& project, QObject* parent) : QObject(parent), m_project(project)
{
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(kDebounceMs);
    connect(&m_debounce, &QTimer::timeout, this, &PlanEstimator::launch);
    connect(&m_watcher, &QFutureWatcherBase::finished, this, &PlanEstimator::onFinished);
}

PlanEstimator::~PlanEstimator()
{
    if (m_cancelRunning)
        m_cancelRunning->store(true);
    m_watcher.waitForFinished();
}

void PlanEstimator::request(const RunPlanRequest& request)
{
    const bool wasBusy = isBusy();
    m_latest = request;
    m_latestLaunched = false;
    m_estimate.reset();
    if (m_cancelRunning)
        m_cancelRunning->store(true); // its answer is stale anyway
    m_debounce.start();
    if (!wasBusy)
        emit busyChanged(true);
}

void PlanEstimator::cancel()
{
    const bool wasBusy = isBusy();
    m_debounce.stop();
    m_latestLaunched = true;
    m_estimate.reset();
    if (m_cancelRunning)
        m_cancelRunning->store(true);
    if (wasBusy && !m_watcher.isRunning())
        emit busyChanged(false);
}

bool PlanEstimator::isBusy() const
{
    return !m_latestLaunched || m_watcher.isRunning();
}

void PlanEstimator::launch()
{
    if (m_watcher.isRunning())
        return; // onFinished launches the latest request
    m_running = m_latest;
    m_latestLaunched = true;
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    m_cancelRunning = cancel;
    const Project project = m_project;
    const RunPlanRequest request = m_running;
    m_watcher.setFuture(QtConcurrent::run([project, request, cancel] {
        auto estimate = estimatePlan(project, request, cancel.get());
        project.closeThreadConnection();
        return estimate;
    }));
}

void PlanEstimator::onFinished()
{
    const Outcome<PlanEstimate> result = m_watcher.result();
    const bool stale = m_cancelRunning && m_cancelRunning->load();
    m_cancelRunning.reset();
    if (!m_latestLaunched) {
        if (!m_debounce.isActive())
            launch();
        return;
    }
    if (!stale) {
        if (result) {
            m_estimate = result.value();
            m_estimatedRequest = m_running;
            emit estimated(result.value());
        } else {
            emit failed(result.error());
        }
    }
    emit busyChanged(false);
}

} // namespace ckptlab
