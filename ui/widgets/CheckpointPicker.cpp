#include "widgets/CheckpointPicker.h"

#include "jobs/RunPlanner.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIntValidator>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSet>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace ckptlab {

namespace {
constexpr int kIndexRole = Qt::UserRole + 1; // index into m_offered; -1 for a series row
}

CheckpointPicker::CheckpointPicker(const QVector<CheckpointInfo>& checkpoints, QWidget* parent)
    : QWidget(parent), m_tree(new QTreeWidget(this)), m_series(new QComboBox(this)), m_from(new QLineEdit(this)),
      m_to(new QLineEdit(this)), m_count(new QLabel(this))
{
    for (const CheckpointInfo& c : checkpoints)
        if (!c.path.isEmpty() && c.status == QLatin1String("ok"))
            m_offered << c;
    std::sort(m_offered.begin(), m_offered.end(), checkpointBefore);

    m_tree->setObjectName(QStringLiteral("planCheckpoints"));
    m_tree->setHeaderLabels({tr("Checkpoint"), tr("Folder")});
    m_tree->setRootIsDecorated(true);
    m_tree->setUniformRowHeights(true);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    QTreeWidgetItem* seriesItem = nullptr;
    for (int i = 0; i < m_offered.size(); ++i) {
        const CheckpointInfo& c = m_offered[i];
        if (!seriesItem || seriesItem->text(0) != c.series) {
            seriesItem = new QTreeWidgetItem(m_tree, {c.series});
            seriesItem->setFlags(seriesItem->flags() | Qt::ItemIsUserCheckable | Qt::ItemIsAutoTristate);
            seriesItem->setData(0, kIndexRole, -1);
            seriesItem->setCheckState(0, Qt::Unchecked);
            m_series->addItem(c.series);
        }
        auto* item = new QTreeWidgetItem(seriesItem, {c.step ? tr("step %1").arg(*c.step) : c.label, c.path});
        if (c.isFinal && c.step)
            item->setText(0, tr("%1 (final, step %2)").arg(c.label).arg(*c.step));
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setData(0, kIndexRole, i);
        item->setCheckState(0, Qt::Unchecked);
        item->setToolTip(1, c.path + (c.hasTokenizer ? QString() : tr("\nno tokenizer.json found: it will be skipped")));
    }
    if (m_offered.isEmpty()) {
        auto* none = new QTreeWidgetItem(m_tree, {tr("No scanned checkpoints: add checkpoint folders first (File › Add checkpoints).")});
        none->setFlags(Qt::NoItemFlags);
        m_tree->setFirstColumnSpanned(0, {}, true);
    }
    m_tree->expandAll();
    if (m_series->count() != 1)
        m_series->insertItem(0, tr("all series"), QString());
    m_series->setCurrentIndex(0);
    m_series->setObjectName(QStringLiteral("planSeries"));

    auto* steps = new QRegularExpressionValidator(QRegularExpression(QStringLiteral("\\d{0,15}")), this);
    m_from->setValidator(steps);
    m_to->setValidator(steps);
    m_from->setPlaceholderText(tr("first"));
    m_to->setPlaceholderText(tr("last"));
    m_from->setObjectName(QStringLiteral("planFromStep"));
    m_to->setObjectName(QStringLiteral("planToStep"));
    m_from->setMaximumWidth(90);
    m_to->setMaximumWidth(90);
    auto* apply = new QPushButton(tr("Check range"), this);
    apply->setToolTip(tr("Check exactly the checkpoints of the series whose step lies in the range (both ends included)."));
    auto* all = new QPushButton(tr("All"), this);
    auto* none = new QPushButton(tr("None"), this);
    connect(apply, &QPushButton::clicked, this, &CheckpointPicker::applyRange);
    connect(m_from, &QLineEdit::returnPressed, this, &CheckpointPicker::applyRange);
    connect(m_to, &QLineEdit::returnPressed, this, &CheckpointPicker::applyRange);
    connect(all, &QPushButton::clicked, this, [this] { checkRange({}, 0); });
    connect(none, &QPushButton::clicked, this, [this] { setChecked({}); });

    auto* range = new QHBoxLayout;
    range->addWidget(m_series, 1);
    range->addWidget(new QLabel(tr("steps"), this));
    range->addWidget(m_from);
    range->addWidget(new QLabel(QStringLiteral("–"), this));
    range->addWidget(m_to);
    range->addWidget(apply);
    auto* footer = new QHBoxLayout;
    footer->addWidget(m_count, 1);
    footer->addWidget(all);
    footer->addWidget(none);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(range);
    layout->addWidget(m_tree, 1);
    layout->addLayout(footer);

    connect(m_tree, &QTreeWidget::itemChanged, this, [this] {
        if (m_updating)
            return;
        updateCount();
        emit changed();
    });
    updateCount();
}

void CheckpointPicker::setChecked(const QVector<CheckpointInfo>& chosen)
{
    QSet<RowId> ids;
    for (const CheckpointInfo& c : chosen)
        ids.insert(c.id);
    m_updating = true;
    for (int s = 0; s < m_tree->topLevelItemCount(); ++s) {
        QTreeWidgetItem* series = m_tree->topLevelItem(s);
        for (int i = 0; i < series->childCount(); ++i) {
            QTreeWidgetItem* item = series->child(i);
            const CheckpointInfo& c = m_offered[item->data(0, kIndexRole).toInt()];
            item->setCheckState(0, ids.contains(c.id) ? Qt::Checked : Qt::Unchecked);
        }
    }
    m_updating = false;
    updateCount();
    emit changed();
}

void CheckpointPicker::checkRange(const QString& series, qint64 fromStep, qint64 toStep)
{
    setChecked(selectCheckpoints(m_offered, series, fromStep, toStep));
}

void CheckpointPicker::applyRange()
{
    const qint64 from = m_from->text().isEmpty() ? 0 : m_from->text().toLongLong();
    const qint64 to = m_to->text().isEmpty() ? -1 : m_to->text().toLongLong();
    checkRange(m_series->currentData().isValid() ? m_series->currentData().toString() : m_series->currentText(), from, to);
}

QVector<CheckpointInfo> CheckpointPicker::checkedCheckpoints() const
{
    QVector<CheckpointInfo> out;
    for (int s = 0; s < m_tree->topLevelItemCount(); ++s) {
        QTreeWidgetItem* series = m_tree->topLevelItem(s);
        for (int i = 0; i < series->childCount(); ++i)
            if (series->child(i)->checkState(0) == Qt::Checked)
                out << m_offered[series->child(i)->data(0, kIndexRole).toInt()];
    }
    return out;
}

void CheckpointPicker::updateCount()
{
    m_count->setText(tr("%1 of %2 checkpoint(s) checked").arg(checkedCheckpoints().size()).arg(m_offered.size()));
}

} // namespace ckptlab
