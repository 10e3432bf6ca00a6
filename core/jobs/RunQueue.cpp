#include "jobs/RunQueue.h"

#include "jobs/ComputeRuntime.h"
#include "jobs/RunDrain.h"
#include "project/RunStore.h"

#include <QElapsedTimer>
#include <QThread>

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace ckptlab {

namespace {

const QString kEditJob = QStringLiteral("runs-edit");
const QString kReloadJob = QStringLiteral("runs-reload");

QString executorJob(const QString& device)
{
    return QStringLiteral("executor:") + device;
}

} // namespace

// Between the executors and the GUI thread. `wakeups` counts wake() calls, so an executor
// waiting for work notices a new plan at once instead of at its next poll.
struct RunQueue::Shared {
    std::mutex mutex;
    std::condition_variable condition;
    bool stopping = false;
    quint64 wakeups = 0;
    std::atomic<bool> paused{false};

    bool isStopping()
    {
        std::lock_guard<std::mutex> lock(mutex);
        return stopping;
    }
    void wake(bool stop = false)
    {
        {
            std::lock_guard<std::mutex> lock(mutex);
            ++wakeups;
            stopping = stopping || stop;
        }
        condition.notify_all();
    }
    // Until stopped, woken, or `timeout` passed.
    void idle(std::chrono::milliseconds timeout)
    {
        std::unique_lock<std::mutex> lock(mutex);
        const quint64 seen = wakeups;
        condition.wait_for(lock, timeout, [&] { return stopping || wakeups != seen; });
    }
    // Until resumed or stopped (or the job is cancelled).
    void holdWhilePaused(const JobContext& job)
    {
        std::unique_lock<std::mutex> lock(mutex);
        while (!condition.wait_for(lock, std::chrono::milliseconds(200),
                                   [&] { return stopping || !paused.load() || job.cancelled(); })) {
        }
    }
};

struct RunQueue::Worker {
    QString device;
    RunControl control;            // of the run in flight
    std::atomic<bool> busy{false};
    std::atomic<RowId> current{0};
};

// What an executor tells the GUI thread, in the order it happened.
struct RunQueue::ExecutorEvent {
    enum Type { Started, Progress, Finished, Idle, Error };
    Type type = Started;
    RunProgress progress;
    RunOutcome outcome;
    QString message;
};

RunQueue::RunQueue(QObject* parent)
    : QObject(parent), m_shared(std::make_shared<Shared>())
{
    qRegisterMetaType<RunProgress>();
    qRegisterMetaType<RunOutcome>();
    setUpCluster();
}

RunQueue::~RunQueue()
{
    // The executors release what they run; m_jobs (destroyed first) waits for them and drops
    // what they still had to report.
    for (auto& w : m_workers)
        w->control.cancel = true;
    m_shared->wake(true);
}

void RunQueue::setProject(const std::optional<Project>& project)
{
    stop();
    m_jobs.waitFor(kEditJob);  // edits of the previous project land there
    m_jobs.waitFor(kReloadJob);
    stopClusterJobs();
    m_edits.clear();
    m_project = project;
    m_runs.clear();
    m_live.clear();
    if (!m_project) {
        emit runsChanged();
        m_clusterSettings = SlurmSettings{};
        return;
    }
    loadClusterSettings();
    // Runs a dead process left `running`; the list reloads afterwards.
    edit([](RunStore& store) {
        const auto marked = store.markInterrupted();
        return marked ? success() : Status::failure(marked.error());
    });
}

QStringList RunQueue::devices() const
{
    QStringList out;
    for (const auto& w : m_workers)
        out << w->device;
    return out;
}

QStringList RunQueue::computeDevices()
{
    return computeInfo().devices;
}

void RunQueue::start(const QStringList& devices)
{
    if (!m_project || !m_workers.empty())
        return;
    QStringList chosen = devices;
    if (chosen.isEmpty()) {
        for (const QString& d : computeDevices())
            if (d != QLatin1String("cpu"))
                chosen << d;
        if (chosen.isEmpty())
            chosen << QStringLiteral("cpu");
    }
    {
        std::lock_guard<std::mutex> lock(m_shared->mutex);
        m_shared->stopping = false;
    }
    m_doneSinceDrain = m_failedSinceDrain = 0;
    for (const QString& device : chosen) {
        auto worker = std::make_shared<Worker>();
        worker->device = device;
        worker->control.paused = m_shared->paused.load();
        m_workers.push_back(worker);
        m_jobs.start<int, ExecutorEvent>(executorJob(device), executorWork(worker), {},
                                         [this](ExecutorEvent event) { onExecutorEvent(event); });
    }
    emit startedChanged(true);
}

RunQueue::ExecutorWork RunQueue::executorWork(std::shared_ptr<Worker> w) const
{
    const Project project = *m_project;
    const std::shared_ptr<Shared> shared = m_shared;
    return [project, w, shared](JobContext& job, const std::function<void(const ExecutorEvent&)>& report) {
        bool ranSomething = false;
        QElapsedTimer sent;
        std::optional<RunPhase> lastPhase;
        RunDrainCallbacks callbacks;
        callbacks.stopRequested = [&] { return job.cancelled() || shared->isStopping(); };
        callbacks.beforeClaim = [&] {
            shared->holdWhilePaused(job);
            w->busy = true;
        };
        callbacks.claimFailed = [&](const QString& error) {
            w->busy = false;
            report(ExecutorEvent{ExecutorEvent::Error, {}, {}, error});
            shared->idle(std::chrono::seconds(5));
            return true;
        };
        callbacks.queueEmpty = [&] {
            w->busy = false;
            if (ranSomething) {
                ranSomething = false;
                report(ExecutorEvent{ExecutorEvent::Idle, {}, {}, {}});
            }
            shared->idle(std::chrono::seconds(2));
            return true;
        };
        callbacks.started = [&](const RunRecord& run) {
            w->control.paused = shared->paused.load();
            w->current = run.id;
            sent.invalidate();
            lastPhase.reset();
            report(ExecutorEvent{ExecutorEvent::Started, {}, {}, {}});
        };
        // Progress is forwarded at most ten times a second, phase changes and pauses always.
        callbacks.progress = [&](const RunProgress& p) {
            if (p.phase == lastPhase && sent.isValid() && sent.elapsed() < 100 && !p.paused)
                return;
            lastPhase = p.phase;
            sent.restart();
            report(ExecutorEvent{ExecutorEvent::Progress, p, {}, {}});
        };
        callbacks.finished = [&](const RunRecord&, const RunOutcome& outcome, bool) {
            w->current = 0;
            ranSomething = true;
            report(ExecutorEvent{ExecutorEvent::Finished, {}, outcome, {}});
            w->busy = false;
        };
        drainRuns(project, w->device, w->control, callbacks);
        w->busy = false;
        return 0;
    };
}

void RunQueue::stop()
{
    if (m_workers.empty())
        return;
    for (auto& w : m_workers)
        w->control.cancel = true;
    m_shared->wake(true);
    // What they report until they end (the runs they release) is delivered meanwhile.
    for (const auto& w : m_workers)
        m_jobs.waitFor(executorJob(w->device));
    m_workers.clear();
    m_live.clear();
    emit startedChanged(false);
    refresh();
}

void RunQueue::pause()
{
    m_shared->paused = true;
    for (auto& w : m_workers)
        w->control.paused = true;
    emit pausedChanged(true);
}

void RunQueue::resume()
{
    m_shared->paused = false;
    for (auto& w : m_workers)
        w->control.paused = false;
    m_shared->wake();
    emit pausedChanged(false);
}

bool RunQueue::isPaused() const
{
    return m_shared->paused.load();
}

void RunQueue::cancelRun(RowId id)
{
    for (auto& w : m_workers)
        if (w->current.load() == id)
            w->control.cancel = true;
    if (m_project)
        edit([project = *m_project, id](RunStore&) { return cancelQueuedOrClusterRun(project, id); });
}

void RunQueue::retry(const QVector<RowId>& ids)
{
    edit([ids](RunStore& store) { return store.requeue(ids); }, true);
}

void RunQueue::move(RowId id, int delta)
{
    edit([id, delta](RunStore& store) { return store.move(id, delta); });
}

void RunQueue::remove(const QVector<RowId>& ids)
{
    edit([ids](RunStore& store) { return store.remove(ids); });
}

void RunQueue::queueChanged()
{
    m_shared->wake();
    refresh();
}

void RunQueue::edit(Edit apply, bool wake)
{
    if (!m_project)
        return;
    m_edits.enqueue(PendingEdit{std::move(apply), wake});
    if (!m_jobs.isRunning(kEditJob))
        startNextEdit();
}

void RunQueue::startNextEdit()
{
    if (m_edits.isEmpty() || !m_project)
        return;
    const PendingEdit next = m_edits.dequeue();
    const Project project = *m_project;
    m_jobs.start<Status>(kEditJob, [project, apply = next.apply](JobContext&) {
        RunStore store(project.database());
        return apply(store);
    }, [this, wake = next.wake](Status done) {
        if (!done)
            emit errorOccurred(done.error());
        if (wake)
            m_shared->wake();
        if (m_edits.isEmpty())
            refresh();
        else
            startNextEdit();
    });
}

void RunQueue::refresh()
{
    if (!m_project)
        return;
    const Project project = *m_project;
    // A newer reload replaces one in flight: only the latest list is shown.
    m_jobs.start<Outcome<QVector<RunRecord>>>(kReloadJob, [project](JobContext&) {
        return RunStore(project.database()).runs();
    }, [this](Outcome<QVector<RunRecord>> loaded) {
        if (!loaded) {
            emit errorOccurred(loaded.error());
            return;
        }
        m_runs = std::move(loaded).value();
        emit runsChanged();
    });
}

void RunQueue::waitForIdle()
{
    for (;;) {
        bool anyBusy = false;
        for (const auto& w : m_workers)
            anyBusy = anyBusy || w->busy.load();
        if (!anyBusy)
            break;
        QThread::msleep(20);
    }
    m_jobs.waitFor(kEditJob);
    m_jobs.waitFor(kReloadJob);
}

void RunQueue::onExecutorEvent(const ExecutorEvent& event)
{
    switch (event.type) {
    case ExecutorEvent::Started:
        refresh();
        break;
    case ExecutorEvent::Progress:
        onProgress(event.progress);
        break;
    case ExecutorEvent::Finished:
        onFinished(event.outcome);
        break;
    case ExecutorEvent::Idle:
        onIdle();
        break;
    case ExecutorEvent::Error:
        emit errorOccurred(event.message);
        break;
    }
}

void RunQueue::onProgress(const RunProgress& progress)
{
    m_live.insert(progress.runId, progress);
    emit runProgress(progress);
}

void RunQueue::onFinished(const RunOutcome& outcome)
{
    m_live.remove(outcome.runId);
    if (outcome.state == RunState::Done)
        ++m_doneSinceDrain;
    else if (outcome.state == RunState::Failed)
        ++m_failedSinceDrain;
    emit runFinished(outcome);
    if (outcome.resultsWritten > 0)
        emit resultsWritten();
    refresh();
}

void RunQueue::onIdle()
{
    for (const auto& w : m_workers)
        if (w->busy.load())
            return;
    emit drained(m_doneSinceDrain, m_failedSinceDrain);
    m_doneSinceDrain = m_failedSinceDrain = 0;
}

} // namespace ckptlab
