#include "widgets/ResultsPanel.h"

#include "models/ResultsTableModel.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QShortcut>
#include <QSortFilterProxyModel>
#include <QTableView>

#include <algorithm>

namespace ckptlab {

ResultsPanel::ResultsPanel(QWidget* parent)
    : QWidget(parent), m_model(new ResultsTableModel(this)), m_proxy(new QSortFilterProxyModel(this)),
      m_view(new QTableView(this)), m_search(new QLineEdit(this)), m_allTasks(new QCheckBox(tr("All tasks"), this)),
      m_count(new QLabel(this))
{
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(ResultsTableModel::SortRole);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(ResultsTableModel::Checkpoint, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setAlternatingRowColors(true);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setObjectName(QStringLiteral("resultsTable"));

    m_search->setPlaceholderText(tr("Search results (model id, task, recipe…)"));
    m_search->setClearButtonEnabled(true);
    auto* copy = new QPushButton(tr("Copy"), this);
    copy->setToolTip(tr("Copy the selected rows (or all shown rows) as tab-separated text"));

    auto* bar = new QHBoxLayout;
    bar->addWidget(m_search, 1);
    bar->addWidget(m_allTasks);
    bar->addWidget(copy);
    bar->addWidget(m_count);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(bar);
    layout->addWidget(m_view);

    connect(m_search, &QLineEdit::textChanged, this, [this](const QString& text) {
        m_proxy->setFilterFixedString(text);
        updateCount();
    });
    connect(m_allTasks, &QCheckBox::toggled, this, [this] { setSelection(m_selection); });
    connect(copy, &QPushButton::clicked, this, &ResultsPanel::copySelection);
    auto* shortcut = new QShortcut(QKeySequence::Copy, m_view);
    shortcut->setContext(Qt::WidgetShortcut);
    connect(shortcut, &QShortcut::activated, this, &ResultsPanel::copySelection);
}

void ResultsPanel::setSnapshot(const ResultSnapshot* snapshot)
{
    m_model->setSnapshot(snapshot);
    m_resizePending = true;
    updateCount();
}

void ResultsPanel::setSelection(const ResultSelection& selection)
{
    m_selection = selection;
    m_model->setFilter(selection, m_allTasks->isChecked());
    // Fit the columns once per project load, to the first rows actually shown.
    if (m_resizePending && m_model->rowCount() > 0) {
        m_view->resizeColumnsToContents();
        m_resizePending = false;
    }
    updateCount();
}

void ResultsPanel::copySelection() const
{
    QList<int> rows;
    const QModelIndexList selected = m_view->selectionModel()->selectedRows();
    if (selected.isEmpty()) {
        for (int r = 0; r < m_proxy->rowCount(); ++r)
            rows << m_proxy->mapToSource(m_proxy->index(r, 0)).row();
    } else {
        QList<QModelIndex> ordered = selected;
        std::sort(ordered.begin(), ordered.end(), [](const QModelIndex& a, const QModelIndex& b) { return a.row() < b.row(); });
        for (const QModelIndex& index : ordered)
            rows << m_proxy->mapToSource(index).row();
    }
    QApplication::clipboard()->setText(m_model->toTsv(rows));
}

void ResultsPanel::updateCount()
{
    m_count->setText(tr("%n row(s)", nullptr, m_proxy->rowCount()));
}

} // namespace ckptlab
