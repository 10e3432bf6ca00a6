#include "widgets/QueueDock.h"

#include "render/LossCurveView.h"
#include "jobs/RunQueue.h"
#include "models/RunTableModel.h"
#include "widgets/ProgressBarDelegate.h"
#include "widgets/SlurmSettingsDialog.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QComboBox>
#include <QSettings>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QStyle>
#include <QTableView>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace ckptlab {

namespace {

enum Page { EmptyPage, TablePage };

QFrame* bannerFrame(const QString& name, const QString& background, const QString& border)
{
    auto* frame = new QFrame;
    frame->setObjectName(name);
    frame->setStyleSheet(QStringLiteral("QFrame#%1 { background: %2; border: 1px solid %3; border-radius: 3px; }")
                             .arg(name, background, border));
    return frame;
}

} // namespace

QueueDock::QueueDock(RunQueue* queue, QWidget* parent)
    : QDockWidget(tr("Queue"), parent), m_queue(queue), m_model(new RunTableModel(this)), m_view(new QTableView),
      m_loss(new LossCurveView), m_pages(new QStackedWidget), m_interruptedBanner(bannerFrame(QStringLiteral("interruptedBanner"),
                                                                                             QStringLiteral("#fff4d6"), QStringLiteral("#e0b252"))),
      m_interruptedText(new QLabel), m_notice(new QLabel), m_status(new QLabel)
{
    setObjectName(QStringLiteral("queueDock"));
    createActions();
    connectActions();
    m_pages->addWidget(buildEmptyPage());
    m_pages->addWidget(buildTable());
    buildInterruptedBanner();
    buildLayout();
    connectModel();
    connectQueue();
    updateActions();
    updateStatus();
}

void QueueDock::createActions()
{
    QStyle* s = style();
    m_start = new QAction(s->standardIcon(QStyle::SP_MediaPlay), tr("Start queue"), this);
    m_start->setToolTip(tr("Run the queued runs, one at a time per device, in queue order."));
    m_pause = new QAction(s->standardIcon(QStyle::SP_MediaPause), tr("Pause"), this);
    m_pause->setToolTip(tr("Hold every run after its current training step; Resume carries on."));
    m_cancel = new QAction(s->standardIcon(QStyle::SP_DialogCancelButton), tr("Cancel"), this);
    m_cancel->setToolTip(tr("Cancel the selected runs (a running one stops within a step; its training state is kept)."));
    m_retry = new QAction(s->standardIcon(QStyle::SP_BrowserReload), tr("Retry"), this);
    m_retry->setToolTip(tr("Queue the selected failed, cancelled or interrupted runs again; fine-tuning resumes from "
                           "its saved state."));
    m_moveUp = new QAction(s->standardIcon(QStyle::SP_ArrowUp), tr("Up"), this);
    m_moveUp->setToolTip(tr("Run the selected queued run earlier."));
    m_moveDown = new QAction(s->standardIcon(QStyle::SP_ArrowDown), tr("Down"), this);
    m_moveDown->setToolTip(tr("Run the selected queued run later."));
    m_remove = new QAction(s->standardIcon(QStyle::SP_TrashIcon), tr("Remove"), this);
    m_remove->setToolTip(tr("Remove the selected runs from the list (results already written stay)."));
    m_remove->setShortcut(QKeySequence::Delete);
    m_remove->setShortcutContext(Qt::WidgetShortcut);
    m_plan = new QAction(s->standardIcon(QStyle::SP_FileDialogNewFolder), tr("Plan…"), this);
    m_plan->setToolTip(tr("Plan fine-tuning runs: checkpoints × tasks × hyper-parameters."));
    m_restartInterrupted = new QAction(s->standardIcon(QStyle::SP_BrowserReload), tr("Restart interrupted runs"), this);
    m_restartInterrupted->setToolTip(tr("Queue every interrupted run again and start the queue; fine-tuning resumes "
                                        "from the last saved training state."));
    m_slurmSettings = new QAction(s->standardIcon(QStyle::SP_FileDialogDetailedView), tr("Slurm…"), this);
    m_slurmSettings->setToolTip(tr("Partition, account, time limit and resources of the runs submitted to Slurm."));
    m_runOn = new QComboBox;
    m_runOn->setObjectName(QStringLiteral("runOnCombo"));
    m_runOn->addItem(tr("This machine"));
    m_runOn->addItem(tr("Slurm cluster"));
    m_runOn->setCurrentIndex(QSettings().value(QStringLiteral("queue/runOn")).toString() == QLatin1String("slurm") ? 1 : 0);
    m_runOn->setToolTip(tr("Where Start runs the queued runs: executors on this machine, or one Slurm job array "
                           "(the nodes must see the project folder)."));
}

void QueueDock::connectActions()
{
    connect(m_start, &QAction::triggered, this, &QueueDock::startQueue);
    connect(m_pause, &QAction::triggered, this, [this] { m_queue->isPaused() ? m_queue->resume() : m_queue->pause(); });
    connect(m_cancel, &QAction::triggered, this, &QueueDock::cancelSelected);
    connect(m_retry, &QAction::triggered, this, &QueueDock::retrySelected);
    connect(m_moveUp, &QAction::triggered, this, [this] { moveSelected(-1); });
    connect(m_moveDown, &QAction::triggered, this, [this] { moveSelected(1); });
    connect(m_remove, &QAction::triggered, this, &QueueDock::removeSelected);
    connect(m_plan, &QAction::triggered, this, &QueueDock::planRequested);
    connect(m_restartInterrupted, &QAction::triggered, this, &QueueDock::restartInterrupted);
    connect(m_slurmSettings, &QAction::triggered, this, &QueueDock::editSlurmSettings);
    connect(m_runOn, &QComboBox::currentIndexChanged, this, [this](int index) {
        QSettings().setValue(QStringLiteral("queue/runOn"), index == 1 ? QStringLiteral("slurm") : QStringLiteral("local"));
        updateActions();
    });
}

QWidget* QueueDock::buildTable()
{
    m_view->setObjectName(QStringLiteral("queueView"));
    m_view->setModel(m_model);
    m_view->setItemDelegateForColumn(RunTableModel::Progress, new ProgressBarDelegate(m_view));
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->setVisible(false);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    QHeaderView* header = m_view->horizontalHeader();
    header->setStretchLastSection(true);
    header->setSectionResizeMode(RunTableModel::State, QHeaderView::ResizeToContents);
    header->resizeSection(RunTableModel::Run, 420);
    header->resizeSection(RunTableModel::Progress, 130);
    header->resizeSection(RunTableModel::Eta, 110);
    header->resizeSection(RunTableModel::Loss, 70);
    header->resizeSection(RunTableModel::Device, 90);
    connect(m_view, &QWidget::customContextMenuRequested, this, &QueueDock::showContextMenu);
    m_view->addAction(m_remove);

    // The table, and beside it the training loss of the selected run.
    auto* splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(m_view);
    splitter->addWidget(m_loss);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    m_loss->setMinimumWidth(260);
    return splitter;
}

void QueueDock::buildInterruptedBanner()
{
    auto* bannerLayout = new QHBoxLayout(m_interruptedBanner);
    bannerLayout->setContentsMargins(8, 4, 8, 4);
    auto* warning = new QLabel;
    warning->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxWarning).pixmap(18, 18));
    bannerLayout->addWidget(warning);
    bannerLayout->addWidget(m_interruptedText, 1);
    auto* restart = new QToolButton;
    restart->setObjectName(QStringLiteral("restartInterruptedButton"));
    restart->setDefaultAction(m_restartInterrupted);
    restart->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bannerLayout->addWidget(restart);
    m_interruptedBanner->setVisible(false);
}

void QueueDock::buildLayout()
{
    m_notice->setObjectName(QStringLiteral("queueNotice"));
    m_notice->setStyleSheet(QStringLiteral("QLabel { background: #e3f1e6; border: 1px solid #8cc79b; border-radius: 3px; "
                                           "padding: 4px 8px; }"));
    m_notice->setVisible(false);
    m_status->setObjectName(QStringLiteral("queueStatus"));

    auto* content = new QWidget;
    auto* layout = new QVBoxLayout(content);
    layout->setContentsMargins(4, 2, 4, 4);
    layout->setSpacing(4);
    layout->addWidget(buildToolBar());
    layout->addWidget(m_interruptedBanner);
    layout->addWidget(m_notice);
    layout->addWidget(m_pages, 1);
    layout->addWidget(m_status);
    setWidget(content);
}

void QueueDock::connectModel()
{
    m_model->setQueue(m_queue); // first, so the rows are updated before the dock reacts to the queue
    connect(m_model, &QAbstractItemModel::modelAboutToBeReset, this, [this] { m_selectionBeforeReset = selectedRunIds(); });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        selectRuns(m_selectionBeforeReset);
        updateChart();
        updateActions();
        updateStatus();
    });
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this] {
        updateActions();
        updateStatus();
    });
    connect(m_model, &RunTableModel::lossPointAdded, this, &QueueDock::onLossPoint);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        updateActions();
        updateChart();
    });
}

void QueueDock::connectQueue()
{
    connect(m_queue, &RunQueue::runFinished, this, [this](const RunOutcome& outcome) {
        if (outcome.runId == m_chartedRun || m_chartedRun == 0)
            updateChart();
    });
    connect(m_queue, &RunQueue::startedChanged, this, [this](bool started) {
        if (started)
            m_notice->setVisible(false);
        updateActions();
        updateStatus();
    });
    connect(m_queue, &RunQueue::clusterMessage, this, &QueueDock::showNotice);
    connect(m_queue, &RunQueue::pausedChanged, this, [this] {
        updateActions();
        updateStatus();
    });
}

QWidget* QueueDock::buildToolBar()
{
    auto* bar = new QToolBar;
    bar->setObjectName(QStringLiteral("queueToolBar"));
    bar->setIconSize(QSize(16, 16));
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->addWidget(new QLabel(tr(" Run on ")));
    bar->addWidget(m_runOn);
    bar->addAction(m_slurmSettings);
    bar->addAction(m_start);
    bar->addAction(m_pause);
    bar->addSeparator();
    bar->addAction(m_cancel);
    bar->addAction(m_retry);
    bar->addSeparator();
    bar->addAction(m_moveUp);
    bar->addAction(m_moveDown);
    bar->addAction(m_remove);
    bar->addSeparator();
    bar->addAction(m_plan);
    return bar;
}

QWidget* QueueDock::buildEmptyPage()
{
    auto* page = new QWidget;
    auto* layout = new QVBoxLayout(page);
    m_emptyText = new QLabel;
    m_emptyText->setWordWrap(true);
    m_emptyText->setAlignment(Qt::AlignCenter);
    m_preparation = new QProgressBar;
    m_preparation->setRange(0, 1000);
    m_preparation->setMaximumWidth(420);
    m_emptyPlan = new QPushButton(tr("Plan fine-tuning…"));
    connect(m_emptyPlan, &QPushButton::clicked, this, &QueueDock::planRequested);
    layout->addStretch();
    layout->addWidget(m_emptyText);
    layout->addWidget(m_preparation, 0, Qt::AlignHCenter);
    layout->addWidget(m_emptyPlan, 0, Qt::AlignHCenter);
    layout->addStretch();
    showPreparation({}, -1);
    return page;
}

void QueueDock::showPreparation(const QString& text, double fraction)
{
    const bool preparing = fraction >= 0;
    m_emptyText->setText(preparing ? text
                                   : tr("<b>No runs yet.</b><br>Plan fine-tuning runs (checkpoints × tasks × hyper-parameters, "
                                        "then an evaluation suite on each model), or try the whole pipeline on a tiny model "
                                        "with <i>Help › Run demo study</i>."));
    m_preparation->setVisible(preparing);
    m_preparation->setValue(qRound(std::clamp(fraction, 0.0, 1.0) * 1000));
    m_emptyPlan->setVisible(!preparing);
}

QString QueueDock::statusText() const
{
    const int running = m_model->count(RunState::Running);
    const int queued = m_model->count(RunState::Queued);
    QStringList parts{tr("%1 running").arg(running), tr("%1 queued").arg(queued), tr("%1 done").arg(m_model->count(RunState::Done)),
                      tr("%1 failed").arg(m_model->count(RunState::Failed))};
    if (const int n = m_model->count(RunState::Cancelled))
        parts << tr("%1 cancelled").arg(n);
    if (const int n = m_model->count(RunState::Interrupted))
        parts << tr("%1 interrupted").arg(n);
    QString text = parts.join(QStringLiteral(" · "));
    if (m_queue->isStarted() && m_queue->isPaused())
        text = tr("Paused — %1").arg(text);
    else if (!m_queue->isStarted() && queued > 0)
        text = tr("Stopped — %1 (Start queue runs them)").arg(text);
    return text;
}

void QueueDock::updateStatus()
{
    m_pages->setCurrentIndex(m_model->rowCount() > 0 ? TablePage : EmptyPage);
    m_status->setText(statusText());
    const int running = m_model->count(RunState::Running);
    const int queued = m_model->count(RunState::Queued);
    setWindowTitle(running + queued > 0 ? tr("Queue (%1 running, %2 queued)").arg(running).arg(queued) : tr("Queue"));
    const int interrupted = m_model->count(RunState::Interrupted);
    m_interruptedBanner->setVisible(interrupted > 0);
    m_interruptedText->setText(tr("%n run(s) were interrupted: ckptlab stopped while they ran. Restarting resumes "
                                  "fine-tuning from the last saved training state.", nullptr, interrupted));
}

void QueueDock::updateActions()
{
    const bool started = m_queue->isStarted();
    const bool paused = m_queue->isPaused();
    m_start->setEnabled(onCluster() ? m_model->count(RunState::Queued) > 0 : !started);
    m_start->setText(onCluster() ? tr("Submit to Slurm") : tr("Start queue"));
    m_slurmSettings->setVisible(onCluster());
    m_pause->setEnabled(started || paused);
    m_pause->setText(paused ? tr("Resume") : tr("Pause"));
    m_pause->setIcon(style()->standardIcon(paused ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause));

    int cancellable = 0, retryable = 0, interrupted = 0, queued = 0, removable = 0;
    for (const QModelIndex& index : m_view->selectionModel()->selectedRows()) {
        const RunRecord* run = m_model->runAt(index.row());
        const RunState state = m_model->effectiveState(index.row());
        cancellable += state == RunState::Queued || state == RunState::Running;
        retryable += run->canRetry() && state != RunState::Running;
        interrupted += state == RunState::Interrupted;
        queued += state == RunState::Queued;
        removable += state != RunState::Running;
    }
    const int selected = m_view->selectionModel()->selectedRows().size();
    m_cancel->setEnabled(cancellable > 0);
    m_retry->setEnabled(retryable > 0);
    m_retry->setText(interrupted > 0 && interrupted == retryable ? tr("Restart") : tr("Retry"));
    m_moveUp->setEnabled(selected == 1 && queued == 1);
    m_moveDown->setEnabled(selected == 1 && queued == 1);
    m_remove->setEnabled(removable > 0 && removable == selected);
    m_restartInterrupted->setEnabled(m_model->count(RunState::Interrupted) > 0);
}

QVector<RowId> QueueDock::selectedRunIds() const
{
    QVector<RowId> ids;
    for (const QModelIndex& index : m_view->selectionModel()->selectedRows())
        ids << m_model->runAt(index.row())->id;
    return ids;
}

void QueueDock::selectRuns(const QVector<RowId>& ids)
{
    QItemSelection selection;
    for (RowId id : ids) {
        const int row = m_model->rowOf(id);
        if (row >= 0)
            selection.select(m_model->index(row, 0), m_model->index(row, RunTableModel::ColumnCount - 1));
    }
    m_view->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
    if (!selection.isEmpty())
        m_view->selectionModel()->setCurrentIndex(selection.first().topLeft(), QItemSelectionModel::NoUpdate);
}

void QueueDock::showNotice(const QString& text)
{
    m_notice->setText(text);
    m_notice->setVisible(!text.isEmpty());
}

QString QueueDock::notice() const
{
    return m_notice->isVisible() ? m_notice->text() : QString();
}

bool QueueDock::onCluster() const
{
    return m_runOn && m_runOn->currentIndex() == 1;
}

void QueueDock::editSlurmSettings()
{
    SlurmSettingsDialog dialog(m_queue->clusterSettings(), this);
    if (dialog.exec() == QDialog::Accepted)
        m_queue->setClusterSettings(dialog.settings());
}

void QueueDock::startQueue()
{
    if (onCluster()) {
        m_queue->submitToCluster();
        return;
    }
    m_queue->start();
    if (m_queue->isPaused())
        m_queue->resume();
}

void QueueDock::cancelSelected()
{
    for (RowId id : selectedRunIds())
        m_queue->cancelRun(id);
}

void QueueDock::retrySelected()
{
    QVector<RowId> ids;
    for (RowId id : selectedRunIds())
        if (const RunRecord* run = m_model->runAt(m_model->rowOf(id)); run && run->canRetry())
            ids << id;
    if (ids.isEmpty())
        return;
    m_queue->retry(ids);
    m_queue->start(); // one click runs it again
}

void QueueDock::restartInterrupted()
{
    QVector<RowId> ids;
    for (int r = 0; r < m_model->rowCount(); ++r)
        if (m_model->runAt(r)->state == RunState::Interrupted)
            ids << m_model->runAt(r)->id;
    if (ids.isEmpty())
        return;
    m_queue->retry(ids);
    m_queue->start();
}

void QueueDock::moveSelected(int delta)
{
    const QVector<RowId> ids = selectedRunIds();
    if (ids.size() == 1)
        m_queue->move(ids.first(), delta);
}

void QueueDock::removeSelected()
{
    const QVector<RowId> ids = selectedRunIds();
    if (!ids.isEmpty())
        m_queue->remove(ids);
}

void QueueDock::updateChart()
{
    // The selected run; with none selected, the one training now.
    RowId id = 0;
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    if (current.isValid() && m_view->selectionModel()->isRowSelected(current.row(), {}))
        id = m_model->runAt(current.row())->id;
    else if (!m_view->selectionModel()->selectedRows().isEmpty())
        id = m_model->runAt(m_view->selectionModel()->selectedRows().first().row())->id;
    const bool following = id == 0;
    for (int r = 0; following && r < m_model->rowCount(); ++r)
        if (m_model->liveProgress(m_model->runAt(r)->id)) {
            id = m_model->runAt(r)->id;
            break;
        }
    const bool trainingNow = id != 0 && m_model->liveProgress(id);
    if (following && id == 0)
        id = m_chartedRun; // keep showing the run that just finished
    m_chartedRun = id;
    const int row = m_model->rowOf(id);
    if (row < 0) {
        m_loss->showMessage(tr("Select a run to see its training loss."));
        return;
    }
    const RunRecord* run = m_model->runAt(row);
    if (run->kind != RunKind::FineTune) {
        m_loss->showMessage(tr("%1 — evaluates the base model: no training loss").arg(run->title));
        return;
    }
    m_loss->setCurve(following && trainingNow ? tr("%1 (training now)").arg(run->title) : run->title, m_model->lossCurve(id));
}

void QueueDock::onLossPoint(RowId id, const QPointF& point)
{
    if (id == m_chartedRun)
        m_loss->addPoint(point);
    else if (m_view->selectionModel()->selectedRows().isEmpty())
        updateChart(); // follow the run that trains now
}

void QueueDock::showContextMenu(const QPoint& position)
{
    QMenu menu(this);
    menu.addActions({m_cancel, m_retry});
    menu.addSeparator();
    menu.addActions({m_moveUp, m_moveDown, m_remove});
    menu.addSeparator();
    QAction* copy = menu.addAction(tr("Copy detail"));
    const QModelIndex index = m_view->indexAt(position);
    copy->setEnabled(index.isValid());
    if (menu.exec(m_view->viewport()->mapToGlobal(position)) == copy)
        QApplication::clipboard()->setText(index.siblingAtColumn(RunTableModel::Run).data().toString() + QLatin1Char('\n')
                                           + index.siblingAtColumn(RunTableModel::Detail).data().toString());
}

} // namespace ckptlab
