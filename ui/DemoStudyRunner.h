#pragma once

#include "jobs/DemoStudyJob.h"
#include "project/Project.h"

#include <QFutureWatcher>
#include <QObject>

#include <atomic>
#include <memory>

namespace ckptlab {

// Prepares the built-in demo study (pre-trains a tiny model, records its checkpoints, queues
// the demo plan) on a worker thread, reporting progress to the GUI thread a few times a second.
class DemoStudyRunner : public QObject {
    Q_OBJECT
public:
    explicit DemoStudyRunner(QObject* parent = nullptr);
    ~DemoStudyRunner() override; // cancels and waits

    bool start(const Project& project);  // false when one is already being prepared
    void cancel();
    bool isRunning() const { return m_watcher.isRunning(); }

signals:
    void progress(const QString& detail, double fraction);
    void prepared(int checkpoints, int tasks, int queuedRuns, const QString& dataFolder);
    void failed(const QString& message);

private:
    void onFinished();

    QFutureWatcher<Outcome<DemoStudyPrepared>> m_watcher;
    std::shared_ptr<std::atomic<bool>> m_cancel;
};

} // namespace ckptlab
