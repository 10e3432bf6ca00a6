// MainWindow's fine-tuning part: the queue dock, the Runs menu, the plan dialog, the demo
// study, and charts that follow the results the runs write.

#include "MainWindow.h"

#include "jobs/ProjectSession.h"
#include "jobs/RunQueue.h"
#include "widgets/PlanDialog.h"
#include "widgets/QueueDock.h"
#include "widgets/OpenMessage.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QStandardPaths>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTime>
#include <QTimer>

namespace ckptlab {

namespace {

// While runs keep landing results, the charts reload at most this often.
constexpr int kResultsReloadMs = 1500;

} // namespace

void MainWindow::buildQueue()
{
    m_queueDock = new QueueDock(runQueue(), this);
    m_resultsReload = new QTimer(this);
    m_resultsReload->setSingleShot(true);
    m_resultsReload->setInterval(kResultsReloadMs);
    connect(m_resultsReload, &QTimer::timeout, m_session, &ProjectSession::reload);
    connect(m_queueDock, &QueueDock::planRequested, this, [this] { planFineTuning(); });
}

void MainWindow::connectRunQueue()
{
    RunQueue* queue = runQueue();
    connect(queue, &RunQueue::resultsWritten, this, &MainWindow::scheduleResultsReload);
    connect(queue, &RunQueue::drained, this, &MainWindow::onQueueDrained);
    connect(queue, &RunQueue::errorOccurred, this, [this](const QString& message) {
        statusBar()->showMessage(tr("Queue: %1").arg(message), 15000);
        m_queueDock->showNotice(QStringLiteral("⚠ ") + message);
    });
    connect(queue, &RunQueue::runFinished, this, [this](const RunOutcome& outcome) {
        if (outcome.state == RunState::Failed)
            statusBar()->showMessage(tr("Run failed: %1 — %2").arg(outcome.title, outcome.error), 15000);
    });
}

void MainWindow::connectDemoStudy()
{
    connect(m_session, &ProjectSession::demoStudyProgress, this, [this](const QString& detail, double fraction) {
        m_progress->setVisible(true);
        m_progress->setRange(0, 1000);
        m_progress->setValue(qRound(fraction * 1000));
        statusBar()->showMessage(tr("Demo study: %1").arg(detail));
        m_queueDock->showPreparation(tr("<b>Preparing the demo study</b><br>%1<br>Its checkpoints are then fine-tuned on four "
                                        "tasks and evaluated here; the charts fill in as runs finish.")
                                         .arg(detail.toHtmlEscaped()),
                                     fraction);
    });
    connect(m_session, &ProjectSession::demoStudyPrepared, this, &MainWindow::onDemoPrepared);
    connect(m_session, &ProjectSession::demoStudyFailed, this, [this](const QString& message) {
        m_progress->setVisible(false);
        m_queueDock->showPreparation({}, -1);
        statusBar()->showMessage(message, 15000);
        emit demoStudyFailed(message);
        openMessage(this, QMessageBox::Warning, tr("Demo study"), message);
    });
}

void MainWindow::buildRunsMenu()
{
    QMenu* runs = menuBar()->addMenu(tr("&Runs"));
    runs->addAction(tr("&Plan fine-tuning…"), QKeySequence(tr("Ctrl+Shift+P")), this, [this] { planFineTuning(); });
    runs->addSeparator();
    runs->addAction(m_queueDock->startAction());
    runs->addAction(m_queueDock->pauseAction());
    runs->addAction(m_queueDock->restartInterruptedAction());
    runs->addSeparator();
    runs->addAction(tr("Show the &queue"), QKeySequence(tr("Ctrl+Shift+Q")), this, [this] {
        m_queueDock->show();
        m_queueDock->raise();
    });
}

RunQueue* MainWindow::runQueue() const
{
    return m_session->runQueue();
}

PlanDialog* MainWindow::planFineTuning(const QVector<CheckpointInfo>& preselected)
{
    if (!m_session->isOpen()) {
        statusBar()->showMessage(tr("Open or create a project first, then add checkpoint folders to fine-tune."), 10000);
        return nullptr;
    }
    auto* dialog = new PlanDialog(m_session, preselected, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &PlanDialog::planQueued, this, [this](int runs, bool onCluster) {
        m_queueDock->show();
        m_queueDock->raise();
        if (onCluster) {
            m_queueDock->runOnBox()->setCurrentIndex(1);
            runQueue()->submitToCluster();
            statusBar()->showMessage(tr("Queued %n run(s); submitting them to Slurm.", nullptr, runs), 10000);
            return;
        }
        runQueue()->start(); // the session told the queue about the new runs
        statusBar()->showMessage(tr("Queued %n run(s); the queue is running.", nullptr, runs), 10000);
    });
    dialog->open();
    return dialog;
}

void MainWindow::runDemoStudyDialog()
{
    const QString suggestion = QDir(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation))
                                   .filePath(QStringLiteral("ckptlab-demo.ckptlab"));
    // Its own project by default: the demo adds a checkpoint series, four tasks and dozens of runs.
    QString path = QFileDialog::getSaveFileName(this, tr("Demo study: where should its project go?"), suggestion,
                                                tr("ckptlab project (*.ckptlab)"), nullptr, QFileDialog::DontConfirmOverwrite);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().compare(QLatin1String("ckptlab"), Qt::CaseInsensitive) != 0)
        path += QStringLiteral(".ckptlab");
    runDemoStudy(path);
}

bool MainWindow::runDemoStudy(const QString& projectPath)
{
    if (m_session->isPreparingDemoStudy()) {
        statusBar()->showMessage(tr("The demo study is already being prepared."), 8000);
        return false;
    }
    if (!openProject(projectPath, true))
        return false;
    m_queueDock->show();
    m_queueDock->raise();
    m_progress->setVisible(true);
    m_progress->setRange(0, 0);
    statusBar()->showMessage(tr("Demo study: pre-training a tiny model and saving its checkpoints (about a minute)…"));
    m_queueDock->showPreparation(tr("<b>Preparing the demo study</b><br>pre-training a tiny model on generated text"), 0.0);
    return m_session->prepareDemoStudy();
}

void MainWindow::onDemoPrepared(int checkpoints, int tasks, int queuedRuns, const QString& dataFolder)
{
    m_progress->setVisible(false);
    runQueue()->start(); // the session reloaded and told the queue about the demo's runs
    m_queueDock->show();
    m_queueDock->raise();
    const QString text = tr("Demo study: %1 checkpoints and %2 tasks in %3; %n run(s) queued. The charts fill in as "
                            "runs finish.", nullptr, queuedRuns)
                             .arg(checkpoints)
                             .arg(tasks)
                             .arg(QDir::toNativeSeparators(dataFolder));
    statusBar()->showMessage(text, 20000);
    m_queueDock->showPreparation({}, -1);
    emit demoStudyPrepared(queuedRuns);
}

void MainWindow::scheduleResultsReload()
{
    if (!m_resultsReload->isActive())
        m_resultsReload->start();
}

void MainWindow::onQueueDrained(int done, int failed)
{
    m_resultsReload->stop();
    m_session->reload();
    const QString text = failed == 0
        ? tr("Queue finished at %1: %n run(s) done.", nullptr, done).arg(QTime::currentTime().toString(QStringLiteral("hh:mm")))
        : tr("Queue finished at %1: %2 done, %3 failed. Select a failed run to see why; Retry queues it again.")
              .arg(QTime::currentTime().toString(QStringLiteral("hh:mm")))
              .arg(done)
              .arg(failed);
    statusBar()->showMessage(text, 30000);
    m_queueDock->showNotice(text);
    QApplication::alert(this);
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        if (!m_tray) {
            m_tray = new QSystemTrayIcon(windowIcon(), this);
            m_tray->setToolTip(QStringLiteral("ckptlab"));
        }
        m_tray->show();
        m_tray->showMessage(tr("ckptlab"), text, failed == 0 ? QSystemTrayIcon::Information : QSystemTrayIcon::Warning);
    }
    emit queueDrainedNotice(text);
}

void MainWindow::stopBackgroundWork()
{
    m_session->cancelDemoStudy();
    runQueue()->stop(); // the run in flight stops within a step; its training state is kept
}

} // namespace ckptlab
