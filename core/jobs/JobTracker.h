#pragma once

// The one way ckptlab runs work in the background (after KDAB hotspot's JobTracker):
//
//   m_jobs.start<Outcome<Report>, int>(QStringLiteral("import"),
//       [=](JobContext& job, const auto& progress) { ...; progress(done); ...; return report; },
//       [this](Outcome<Report> r) { /* on the tracker's thread */ },
//       [this](int done) { /* progress, on the tracker's thread */ });
//
// - Each job has an id and a kind. Starting a job of a kind cancels the running one of that
//   kind (JobContext::cancelled() turns true) and drops its result and progress.
// - Results and progress are delivered queued, on the thread that owns the tracker, and only
//   while the tracker lives; a job's work never touches the tracker's owner directly.
// - cancel(kind) / cancelAll() set the flag the work checks; it stops at its next check.
// - When a job ends, the database connections its thread opened are closed.
// - The destructor cancels every job and waits for them: no job outlives its tracker.
//
// Jobs run on the tracker's own thread pool, so a long job (an evaluation, the demo study's
// pre-training, an executor loop) never delays a short one (a reload).

#include <QObject>
#include <QHash>
#include <QString>
#include <QThreadPool>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>

namespace ckptlab {

using JobId = quint64;

class JobContext {
public:
    JobId id() const { return m_id; }
    bool cancelled() const { return m_cancel->load(); }
    // For callees that take a flag (the engine's evaluation, the run executor).
    std::atomic<bool>* cancelFlag() const { return m_cancel.get(); }

private:
    friend class JobTracker;
    JobId m_id = 0;
    std::shared_ptr<std::atomic<bool>> m_cancel;
};

class JobTracker : public QObject {
    Q_OBJECT
public:
    explicit JobTracker(QObject* parent = nullptr);
    ~JobTracker() override;

    template <typename Result, typename Progress = int>
    JobId start(const QString& kind,
                std::function<Result(JobContext&, const std::function<void(const Progress&)>&)> work,
                std::function<void(Result)> onResult, std::function<void(Progress)> onProgress = {});

    // The same for work that reports no progress.
    template <typename Result>
    JobId start(const QString& kind, std::function<Result(JobContext&)> work, std::function<void(Result)> onResult)
    {
        return start<Result, int>(
            kind, [work](JobContext& job, const std::function<void(const int&)>&) { return work(job); },
            std::move(onResult));
    }

    void cancel(const QString& kind);
    void cancelAll();
    bool isRunning(const QString& kind) const { return m_current.contains(kind); }
    bool isBusy() const { return m_pending > 0; }
    // Blocks (delivering this tracker's results) until every job has ended and its result was
    // delivered or dropped. For tests, closing a project and quitting.
    void waitForIdle();

signals:
    void busyChanged(bool busy);

private:
    struct Current {
        JobId id = 0;
        std::shared_ptr<std::atomic<bool>> cancel;
    };
    JobContext begin(const QString& kind);
    bool isCurrent(const QString& kind, JobId id) const;
    void finish(const QString& kind, JobId id);
    void run(std::function<void()> task);
    void endOfWork();  // on the worker: closes its connections, counts the job out

    QThreadPool m_pool;
    QHash<QString, Current> m_current;  // the newest job of each kind, while it runs
    JobId m_nextId = 1;
    int m_pending = 0;                  // started, result not yet delivered or dropped
    std::mutex m_mutex;
    std::condition_variable m_ended;
    int m_working = 0;                  // jobs whose work has not returned
};

template <typename Result, typename Progress>
JobId JobTracker::start(const QString& kind,
                        std::function<Result(JobContext&, const std::function<void(const Progress&)>&)> work,
                        std::function<void(Result)> onResult, std::function<void(Progress)> onProgress)
{
    JobContext context = begin(kind);
    const JobId id = context.id();
    auto report = [this, kind, id, onProgress](const Progress& p) {
        if (!onProgress)
            return;
        QMetaObject::invokeMethod(this, [this, kind, id, onProgress, p] {
            if (isCurrent(kind, id))
                onProgress(p);
        }, Qt::QueuedConnection);
    };
    run([this, kind, id, context, work = std::move(work), onResult = std::move(onResult), report]() mutable {
        Result result = work(context, report);
        QMetaObject::invokeMethod(this, [this, kind, id, onResult, result = std::move(result)]() mutable {
            const bool deliver = isCurrent(kind, id);
            finish(kind, id);
            if (deliver && onResult)
                onResult(std::move(result));
        }, Qt::QueuedConnection);
        endOfWork();
    });
    return id;
}

} // namespace ckptlab
