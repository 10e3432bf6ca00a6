#pragma once

#include "jobs/RunPlanner.h"
#include "project/Project.h"

#include <QFutureWatcher>
#include <QObject>
#include <QTimer>

#include <atomic>
#include <memory>
#include <optional>

namespace ckptlab {

// Costs a plan on a worker thread (estimatePlan tokenizes the training data) while its inputs
// are being edited: requests are debounced, a newer request cancels the one in flight, and
// only the estimate of the latest request is reported.
class PlanEstimator : public QObject {
    Q_OBJECT
public:
    explicit PlanEstimator(const Project& project, QObject* parent = nullptr);
    ~PlanEstimator() override; // cancels and waits for the worker

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
    void onFinished();

    Project m_project;
    QTimer m_debounce;
    QFutureWatcher<Outcome<PlanEstimate>> m_watcher;
    std::shared_ptr<std::atomic<bool>> m_cancelRunning;
    RunPlanRequest m_latest;
    RunPlanRequest m_running;
    RunPlanRequest m_estimatedRequest;
    bool m_latestLaunched = true;
    std::optional<PlanEstimate> m_estimate;
};

} // namespace ckptlab
