#pragma once

#include "jobs/RunPlanner.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

#include <optional>

namespace ckptlab {

class ProjectSession;

// Costs a plan while its inputs are being edited (estimatePlan tokenizes the training data, so
// it runs as a job of the session): requests are debounced, a newer request cancels the one in
// flight, and only the estimate of the latest request is reported.
class PlanEstimator : public QObject {
    Q_OBJECT
public:
    explicit PlanEstimator(ProjectSession* session, QObject* parent = nullptr);
    ~PlanEstimator() override; // cancels the estimate in flight

    void request(const RunPlanRequest& request);
    void cancel();                     // forgets the pending request and the last estimate
    bool isBusy() const;               // a request waits or runs
    // The estimate of the latest request, when it is done and succeeded.
    const std::optional<PlanEstimate>& estimate() const { return m_estimate; }
    const RunPlanRequest& estimatedRequest() const { return m_estimatedRequest; }

    static constexpr int kDebounceMs = 350;

signals:
    void busyChanged(bool busy);
    void estimated(const ckptlab::PlanEstimate& estimate);
    void failed(const QString& message);

private:
    void launch();
    void onEstimated(quint64 generation, const Outcome<PlanEstimate>& result);

    QPointer<ProjectSession> m_session;
    QTimer m_debounce;
    RunPlanRequest m_latest;
    RunPlanRequest m_running;
    RunPlanRequest m_estimatedRequest;
    quint64 m_generation = 0;          // of the latest request; older answers are stale
    bool m_waiting = false;            // an estimate was asked for and has not answered
    std::optional<PlanEstimate> m_estimate;
};

} // namespace ckptlab
