#pragma once

#include "analysis/AnalysisQuery.h"
#include "project/ProjectTypes.h"

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

namespace ckptlab {

class ResultsTableModel;

// The results table: the rows behind the current chart (or every task), sortable, searchable
// and copyable as tab-separated text.
class ResultsPanel : public QWidget {
    Q_OBJECT
public:
    explicit ResultsPanel(QWidget* parent = nullptr);

    void setSnapshot(const ResultSnapshot* snapshot);
    void setSelection(const ResultSelection& selection);
    void copySelection() const;

    QTableView* view() const { return m_view; }
    ResultsTableModel* model() const { return m_model; }
    QSortFilterProxyModel* proxy() const { return m_proxy; }

private:
    void updateCount();

    ResultsTableModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QTableView* m_view;
    QLineEdit* m_search;
    QCheckBox* m_allTasks;
    QLabel* m_count;
    ResultSelection m_selection;
    bool m_resizePending = true;
};

} // namespace ckptlab
