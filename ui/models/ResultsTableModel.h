#pragma once

#include "analysis/AnalysisQuery.h"
#include "project/ProjectTypes.h"

#include <QAbstractTableModel>

namespace ckptlab {

// The results of a snapshot as a table, limited to what the filter panel selects (a task, or
// all tasks). Holds row indices into the snapshot, never copies of the rows.
class ResultsTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Series, Checkpoint, Step, Recipe, Task, Format, Shots, Metric, Value, Stderr, N, ModelId, Source, ColumnCount };
    // Numbers sort as numbers, and the final checkpoint after every step.
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit ResultsTableModel(QObject* parent = nullptr);

    // The snapshot must outlive the model or be replaced through setSnapshot before it goes.
    void setSnapshot(const ResultSnapshot* snapshot);
    // Empty task: all tasks. Format/metric empty: all; shots < 0: all.
    void setFilter(const ResultSelection& selection, bool allTasks);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    const ResultRow* resultAt(int row) const;
    // Tab-separated text of the given rows with a header line, for the clipboard.
    QString toTsv(const QList<int>& rows) const;

private:
    void rebuild();
    QVariant display(const ResultRow& row, int column) const;

    const ResultSnapshot* m_snapshot = nullptr;
    ResultSelection m_selection;
    bool m_allTasks = true;
    QVector<int> m_rows;
};

} // namespace ckptlab
