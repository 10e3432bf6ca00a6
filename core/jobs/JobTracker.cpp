#include "jobs/JobTracker.h"

#include "project/Project.h"

#include <QCoreApplication>
#include <QThread>

#include <chrono>

namespace ckptlab {

JobTracker::JobTracker(QObject* parent) : QObject(parent)
{
    // Jobs are few and mostly long; none should queue behind another.
    m_pool.setMaxThreadCount(32);
    m_pool.setExpiryTimeout(30000);
}

JobTracker::~JobTracker()
{
    cancelAll();
    waitForIdle();
}

JobContext JobTracker::begin(const QString& kind)
{
    if (auto it = m_current.find(kind); it != m_current.end())
        it->cancel->store(true);  // the newer job replaces it; its result will be dropped
    JobContext context;
    context.m_id = m_nextId++;
    context.m_cancel = std::make_shared<std::atomic<bool>>(false);
    m_current.insert(kind, Current{context.m_id, context.m_cancel});
    if (m_pending++ == 0)
        emit busyChanged(true);
    return context;
}

bool JobTracker::isCurrent(const QString& kind, JobId id) const
{
    const auto it = m_current.constFind(kind);
    return it != m_current.constEnd() && it->id == id;
}

void JobTracker::finish(const QString& kind, JobId id)
{
    if (isCurrent(kind, id))
        m_current.remove(kind);
    if (--m_pending == 0)
        emit busyChanged(false);
}

void JobTracker::run(std::function<void()> task)
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        ++m_working;
    }
    m_pool.start(std::move(task));
}

void JobTracker::endOfWork()
{
    Project::closeThreadConnections();
    std::lock_guard<std::mutex> lock(m_mutex);
    --m_working;
    m_ended.notify_all();
}

void JobTracker::cancel(const QString& kind)
{
    if (auto it = m_current.find(kind); it != m_current.end())
        it->cancel->store(true);
}

void JobTracker::cancelAll()
{
    for (const Current& c : std::as_const(m_current))
        c.cancel->store(true);
}

void JobTracker::waitForIdle()
{
    Q_ASSERT(QThread::currentThread() == thread());
    while (m_pending > 0) {
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_ended.wait_for(lock, std::chrono::milliseconds(5), [this] { return m_working == 0; });
        }
        // Deliver what finished (this tracker's queued calls), which counts jobs out.
        QCoreApplication::sendPostedEvents(this, QEvent::MetaCall);
    }
}

} // namespace ckptlab
