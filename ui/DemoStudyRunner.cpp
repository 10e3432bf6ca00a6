#include "DemoStudyRunner.h"


#include <QElapsedTimer>
#include <QPointer>
#include <QtConcurrent/QtConcurrentRun>

namespace ckptlab {

namespace {
constexpr qint64 kProgressIntervalMs = 200;
}

DemoStudyRunner::DemoStudyRunner(QObject* parent) : QObject(parent)
{
    connect(&m_watcher, &QFutureWatcherBase::finished, this, &DemoStudyRunner::onFinished);
}

DemoStudyRunner::~DemoStudyRunner()
{
    cancel();
    m_watcher.waitForFinished();
}

bool DemoStudyRunner::start(const Project& project)
{
    if (m_watcher.isRunning())
        return false;
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    m_cancel = cancel;
    QPointer<DemoStudyRunner> self(this);
    m_watcher.setFuture(QtConcurrent::run([project, cancel, self] {
        QElapsedTimer sinceReport;
        QString lastPhase;
        auto prepared = prepareDemoStudy(project, [&](const DemoStudyProgress& p) {
            if (p.phase == lastPhase && sinceReport.isValid() && sinceReport.elapsed() < kProgressIntervalMs)
                return;
            lastPhase = p.phase;
            sinceReport.restart();
            QMetaObject::invokeMethod(self.data(), [self, p] {
                if (self)
                    emit self->progress(p.detail, p.fraction);
            }, Qt::QueuedConnection);
        }, cancel.get());
        project.closeThreadConnection();
        return prepared;
    }));
    return true;
}

void DemoStudyRunner::cancel()
{
    if (m_cancel)
        m_cancel->store(true);
}

void DemoStudyRunner::onFinished()
{
    const Outcome<DemoStudyPrepared> result = m_watcher.result();
    m_cancel.reset();
    if (!result) {
        emit failed(result.error());
        return;
    }
    emit prepared(result->checkpoints, result->tasks, result->queuedRuns, result->dataFolder);
}

} // namespace ckptlab
