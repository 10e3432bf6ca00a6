#include "widgets/PlanEstimator.h"

#include "jobs/ProjectSession.h"

namespace ckptlab {

PlanEstimator::PlanEstimator(ProjectSession* session, QObject* parent) : QObject(parent), m_session(session)
{
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(kDebounceMs);
    connect(&m_debounce, &QTimer::timeout, this, &PlanEstimator::launch);
}

PlanEstimator::~PlanEstimator()
{
    if (m_waiting && m_session)
        m_session->cancelPlanEstimate();
}

void PlanEstimator::request(const RunPlanRequest& request)
{
    const bool wasBusy = isBusy();
    m_latest = request;
    ++m_generation; // the answer in flight is stale
    m_estimate.reset();
    m_debounce.start();
    if (!wasBusy)
        emit busyChanged(true);
}

void PlanEstimator::cancel()
{
    const bool wasBusy = isBusy();
    m_debounce.stop();
    ++m_generation;
    m_estimate.reset();
    if (m_waiting && m_session)
        m_session->cancelPlanEstimate();
    m_waiting = false;
    if (wasBusy)
        emit busyChanged(false);
}

bool PlanEstimator::isBusy() const
{
    return m_debounce.isActive() || m_waiting;
}

void PlanEstimator::launch()
{
    if (!m_session) {
        emit failed(tr("The project is closed."));
        emit busyChanged(false);
        return;
    }
    m_running = m_latest;
    m_waiting = true;
    const quint64 generation = m_generation;
    // A newer estimate of the session replaces the one in flight (the job tracker's rule).
    m_session->estimatePlan(m_running, this, [this, generation](Outcome<PlanEstimate> result) {
        onEstimated(generation, result);
    });
}

void PlanEstimator::onEstimated(quint64 generation, const Outcome<PlanEstimate>& result)
{
    if (generation != m_generation)
        return; // a newer request is debouncing; its own answer follows
    m_waiting = false;
    if (result) {
        m_estimate = result.value();
        m_estimatedRequest = m_running;
        emit estimated(result.value());
    } else {
        emit failed(result.error());
    }
    emit busyChanged(false);
}

} // namespace ckptlab
