#include "jobs/RunQueue.h"

#include "engine/TorchRuntime.h"

#include <QElapsedTimer>
#include <QMetaObject>
#include <QThread>
#include <QtConcurrent/QtConcurrent>

namespace ckptlab {

struct RunQueue::Worker {
    QString device;
    std::thread thread;
    RunControl control;            // of the run in flight
    std::atomic<bool> busy{false};
    std::atomic<RowId> current{0};
};

RunQueue::RunQueue(QObject* parent)
    : QObject(parent)
{
    qRegisterMetaType<RunProgress>();
    qRegisterMetaType<RunOutcome>();
    connect(&m_loadWatcher, &QFutureWatcherBase::finished, this, [this] {
        const auto loaded = m_loadWatcher.result();
        if (loaded) {
            m_runs = loaded.value();
            emit runsChanged();
        } else {
            emit errorOccurred(loaded.error());
        }
        if (m_reloadPending) {
            m_reloadPending = false;
            refresh();
        }
    });
}

RunQueue::~RunQueue()
{
    stop();
    m_loadWatcher.waitForFinished();
}

void RunQueue::setProject(const std::optional<Project>& project)
{
    stop();
    m_loadWatcher.waitForFinished();
    m_project = project;
    m_runs.clear();
    m_live.clear();
    if (!m_project) {
        emit runsChanged();
        return;
    }
    if (const auto marked = RunStore(m_project->database()).markInterrupted(); !marked)
        emit errorOccurred(marked.error());
    refresh();
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
    QStringList out;
    for (const std::string& d : engine::runtimeInfo().devices)
        out << QString::fromStdString(d);
    return out;
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
    m_stopping = false;
    m_doneSinceDrain = m_failedSinceDrain = 0;
    for (const QString& device : chosen) {
        auto worker = std::make_unique<Worker>();
        worker->device = device;
        Worker* w = worker.get();
        m_workers.push_back(std::move(worker));
        w->thread = std::thread([this, w] { workerLoop(w); });
    }
    emit startedChanged(true);
}

void RunQueue::stop()
{
    if (m_workers.empty())
        return;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stopping = true;
    }
    for (auto& w : m_workers)
        w->control.cancel = true;
    m_wake.notify_all();
    for (auto& w : m_workers)
        w->thread.join();
    m_workers.clear();
    m_live.clear();
    emit startedChanged(false);
    refresh();
}

void RunQueue::pause()
{
    m_paused = true;
    for (auto& w : m_workers)
        w->control.paused = true;
    emit pausedChanged(true);
}

void RunQueue::resume()
{
    m_paused = false;
    for (auto& w : m_workers)
        w->control.paused = false;
    m_wake.notify_all();
    emit pausedChanged(false);
}

bool RunQueue::isPaused() const
{
    return m_paused.load();
}

void RunQueue::cancelRun(RowId id)
{
    for (auto& w : m_workers)
        if (w->current.load() == id)
            w->control.cancel = true;
    if (m_project)
        if (Status s = RunStore(m_project->database()).cancelQueued({id}); !s)
            emit errorOccurred(s.error());
    refresh();
}

void RunQueue::retry(const QVector<RowId>& ids)
{
    if (!m_project)
        return;
    if (Status s = RunStore(m_project->database()).requeue(ids); !s)
        emit errorOccurred(s.error());
    queueChanged();
}

void RunQueue::move(RowId id, int delta)
{
    if (!m_project)
        return;
    if (Status s = RunStore(m_project->database()).move(id, delta); !s)
        emit errorOccurred(s.error());
    refresh();
}

void RunQueue::remove(const QVector<RowId>& ids)
{
    if (!m_project)
        return;
    if (Status s = RunStore(m_project->database()).remove(ids); !s)
        emit errorOccurred(s.error());
    refresh();
}

void RunQueue::queueChanged()
{
    m_wake.notify_all();
    refresh();
}

void RunQueue::refresh()
{
    if (!m_project)
        return;
    if (m_loadWatcher.isRunning()) {
        m_reloadPending = true;
        return;
    }
    const Project project = *m_project;
    m_loadWatcher.setFuture(QtConcurrent::run([project] {
        auto runs = RunStore(project.database()).runs();
        project.closeThreadConnection();
        return runs;
    }));
}

void RunQueue::waitForIdle()
{
    for (;;) {
        bool anyBusy = false;
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            for (auto& w : m_workers)
                anyBusy = anyBusy || w->busy.load();
        }
        if (!anyBusy)
            break;
        QThread::msleep(20);
    }
    m_loadWatcher.waitForFinished();
}

void RunQueue::workerLoop(Worker* w)
{
    const Project project = *m_project;
    const QString owner = currentRunOwner();
    bool ranSomething = false;
    for (;;) {
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_wake.wait(lock, [&] { return m_stopping || !m_paused.load(); });
            if (m_stopping)
                break;
        }
        w->busy = true;
        const auto claimed = RunStore(project.database()).claimNext(w->device, owner);
        if (!claimed) {
            w->busy = false;
            QMetaObject::invokeMethod(this, [this, message = claimed.error()] { emit errorOccurred(message); });
            std::unique_lock<std::mutex> lock(m_mutex);
            m_wake.wait_for(lock, std::chrono::seconds(5), [&] { return m_stopping; });
            continue;
        }
        if (!claimed.value()) {
            w->busy = false;
            if (ranSomething) {
                ranSomething = false;
                QMetaObject::invokeMethod(this, [this] { onIdle(); });
            }
            std::unique_lock<std::mutex> lock(m_mutex);
            m_wake.wait_for(lock, std::chrono::seconds(2), [&] { return m_stopping; });
            continue;
        }
        const RunRecord run = *claimed.value();
        w->control.cancel = m_stopping;
        w->control.paused = m_paused.load();
        w->current = run.id;
        QMetaObject::invokeMethod(this, [this] { refresh(); });
        // Progress is forwarded at most ten times a second, phase changes always.
        QElapsedTimer sent;
        std::optional<RunPhase> lastPhase;
        const RunOutcome outcome = executeRun(project, run, w->device, [&](const RunProgress& p) {
            if (p.phase == lastPhase && sent.isValid() && sent.elapsed() < 100 && !p.paused)
                return;
            lastPhase = p.phase;
            sent.restart();
            QMetaObject::invokeMethod(this, [this, p] { onProgress(p); });
        }, w->control);
        w->current = 0;
        ranSomething = true;
        // Stopped because the queue stops (the project closes): not the user's cancel, so the
        // run goes back in the queue and resumes from its saved state next time.
        if (outcome.state == RunState::Cancelled && stopping())
            RunStore(project.database()).release(run.id);
        QMetaObject::invokeMethod(this, [this, outcome] { onFinished(outcome); });
        w->busy = false;
    }
    project.closeThreadConnection();
}

bool RunQueue::stopping()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_stopping;
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
