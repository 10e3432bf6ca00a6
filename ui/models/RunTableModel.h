#pragma once

#include "jobs/RunExecutor.h"
#include "project/RunStore.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QPointF>
#include <QVector>

namespace ckptlab {

class RunQueue;

// The fine-tuning queue as a table: one row per run (RunQueue::runs()) with the live progress
// of the runs executing now laid over it. A progress tick changes one row in place; a new run
// list resets the model only when rows came, went or moved.
class RunTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { State, Run, Progress, Eta, Loss, Device, Detail, ColumnCount };
    enum Role {
        ProgressRole = Qt::UserRole + 1, // int 0..100, for the progress bar
        RunIdRole,                       // RowId
        StateRole,                       // int(RunState) of effectiveState()
        PausedRole,                      // bool: a live run held by Pause
    };

    explicit RunTableModel(QObject* parent = nullptr);

    // Follows a queue: its run list, progress ticks and finished runs. nullptr detaches.
    void setQueue(RunQueue* queue);

    void setRuns(const QVector<RunRecord>& runs, const QHash<RowId, RunProgress>& live = {});
    void updateProgress(const RunProgress& progress);
    void finishRun(const RunOutcome& outcome);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    const RunRecord* runAt(int row) const;
    int rowOf(RowId id) const;                   // -1 when not listed
    const RunProgress* liveProgress(RowId id) const;
    // The row's state, Running while progress arrives (the list may lag behind the executor).
    RunState effectiveState(int row) const;
    bool isPaused(int row) const;                // running, held after its current step
    // The state a person reads: effectiveState's word, "paused" while held.
    QString displayState(int row) const;
    // Loss per optimizer step (x = step): the saved curve, extended by the live ticks.
    QVector<QPointF> lossCurve(RowId id) const;
    int count(RunState state) const;             // rows whose effective state is `state` (paused ones run)

signals:
    // A run's curve got a point (only while it trains), for a live chart.
    void lossPointAdded(ckptlab::RowId id, QPointF point);

private:
    QVariant display(int row, int column) const;
    QVariant toolTip(int row, int column) const;
    int progressPercent(int row) const;
    void indexRows();
    void summarizeDoneRuns();

    RunQueue* m_queue = nullptr;
    QVector<RunRecord> m_runs;
    QHash<RowId, int> m_rowOf;
    QHash<RowId, RunProgress> m_live;
    QHash<RowId, QVector<QPointF>> m_liveLoss;   // points seen by progress ticks, by run
    QHash<RowId, QString> m_doneSummary;         // the Detail of a done run, from its stats
};

} // namespace ckptlab
