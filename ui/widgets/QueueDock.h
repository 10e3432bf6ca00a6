#pragma once

#include "project/ProjectTypes.h"

#include <QDockWidget>
#include <QVector>

class QAction;
class QFrame;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QStackedWidget;
class QTableView;

namespace ckptlab {

class LossCurveView;
class RunQueue;
class RunTableModel;

// The fine-tuning queue: every run with its state and live progress, the actions that steer
// them (start, pause/resume, cancel, retry, reorder, remove), the training loss of the selected
// run (or of the one training now) and a one-line summary of the queue.
class QueueDock : public QDockWidget {
    Q_OBJECT
public:
    explicit QueueDock(RunQueue* queue, QWidget* parent = nullptr);

    RunTableModel* model() const { return m_model; }
    QTableView* view() const { return m_view; }
    LossCurveView* lossView() const { return m_loss; }
    // "1 running · 12 queued · 20 done · 1 failed", with "Paused" / "Stopped" in front.
    QString statusText() const;

    QAction* startAction() const { return m_start; }
    QAction* pauseAction() const { return m_pause; }   // "Pause" or, while paused, "Resume"
    QAction* cancelAction() const { return m_cancel; }
    QAction* retryAction() const { return m_retry; }
    QAction* moveUpAction() const { return m_moveUp; }
    QAction* moveDownAction() const { return m_moveDown; }
    QAction* removeAction() const { return m_remove; }
    QAction* restartInterruptedAction() const { return m_restartInterrupted; }
    // "This machine" (the local executors) or "Slurm cluster" (Start submits the queue).
    QComboBox* runOnBox() const { return m_runOn; }

    void selectRuns(const QVector<RowId>& ids);
    QVector<RowId> selectedRunIds() const;
    RowId chartedRun() const { return m_chartedRun; }
    // A line above the table until the queue starts again (e.g. "Queue finished: ...").
    void showNotice(const QString& text);
    QString notice() const;
    // Work that will fill the queue (the demo study's pre-training), shown while it is empty;
    // a negative fraction clears it.
    void showPreparation(const QString& text, double fraction);

signals:
    void planRequested();

private:
    // The constructor's steps, in order.
    void createActions();
    void connectActions();
    QWidget* buildEmptyPage();
    QWidget* buildTable();            // the run table beside the loss chart
    void buildInterruptedBanner();
    void buildLayout();
    QWidget* buildToolBar();
    void connectModel();
    void connectQueue();

    void startQueue();
    void editSlurmSettings();
    bool onCluster() const;
    void cancelSelected();
    void retrySelected();
    void restartInterrupted();
    void moveSelected(int delta);
    void removeSelected();
    void updateActions();
    void updateStatus();
    void updateChart();
    void onLossPoint(RowId id, const QPointF& point);
    void showContextMenu(const QPoint& position);

    RunQueue* m_queue;
    RunTableModel* m_model;
    QTableView* m_view;
    LossCurveView* m_loss;
    QStackedWidget* m_pages;
    QFrame* m_interruptedBanner;
    QLabel* m_interruptedText;
    QLabel* m_notice;
    QLabel* m_status;
    QLabel* m_emptyText;
    QProgressBar* m_preparation;
    QPushButton* m_emptyPlan;
    QAction* m_start;
    QAction* m_pause;
    QAction* m_cancel;
    QAction* m_retry;
    QAction* m_moveUp;
    QAction* m_moveDown;
    QAction* m_remove;
    QAction* m_plan;
    QAction* m_restartInterrupted;
    QAction* m_slurmSettings;
    QComboBox* m_runOn = nullptr;
    RowId m_chartedRun = 0;
    QVector<RowId> m_selectionBeforeReset;
};

} // namespace ckptlab
