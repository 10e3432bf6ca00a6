#include "models/ResultsTableModel.h"

#include <QLocale>

#include <cmath>

namespace ckptlab {

ResultsTableModel::ResultsTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void ResultsTableModel::setSnapshot(const ResultSnapshot* snapshot)
{
    m_snapshot = snapshot;
    rebuild();
}

void ResultsTableModel::setFilter(const ResultSelection& selection, bool allTasks)
{
    m_selection = selection;
    m_allTasks = allTasks;
    rebuild();
}

void ResultsTableModel::rebuild()
{
    beginResetModel();
    m_rows.clear();
    if (m_snapshot) {
        const TaskInfo* task = m_allTasks ? nullptr : m_snapshot->taskByName(m_selection.task);
        const bool taskWanted = m_allTasks || task;
        for (int i = 0; taskWanted && i < m_snapshot->results.size(); ++i) {
            const ResultRow& r = m_snapshot->results[i];
            if (task && r.taskId != task->id)
                continue;
            if (!m_allTasks) {
                const PromptFormatInfo* format = m_snapshot->format(r.formatId);
                if (!m_selection.format.isEmpty() && (!format || format->name != m_selection.format))
                    continue;
                if (m_selection.shots >= 0 && r.shots != m_selection.shots)
                    continue;
                if (!m_selection.metric.isEmpty() && r.metric != m_selection.metric)
                    continue;
            }
            if (!m_selection.ftTasks.isEmpty() && !recipeSelected(*m_snapshot, r.recipeId, m_selection.ftTasks))
                continue;
            if (!m_selection.series.isEmpty()) {
                const CheckpointInfo* c = m_snapshot->checkpoint(r.checkpointId);
                if (!c || c->series != m_selection.series)
                    continue;
            }
            m_rows.push_back(i);
        }
    }
    endResetModel();
}

int ResultsTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : m_rows.size();
}

int ResultsTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const ResultRow* ResultsTableModel::resultAt(int row) const
{
    if (!m_snapshot || row < 0 || row >= m_rows.size())
        return nullptr;
    return &m_snapshot->results[m_rows[row]];
}

QVariant ResultsTableModel::display(const ResultRow& r, int column) const
{
    const CheckpointInfo* c = m_snapshot->checkpoint(r.checkpointId);
    switch (column) {
    case Series: return c ? c->series : QString();
    case Checkpoint: return c ? c->label : QString();
    case Step: return c && c->step ? QVariant(*c->step) : QVariant();
    case Recipe: return m_snapshot->recipeLabel(r.recipeId);
    case Task: {
        const TaskInfo* t = m_snapshot->task(r.taskId);
        return t ? t->name : QString();
    }
    case Format: {
        const PromptFormatInfo* f = m_snapshot->format(r.formatId);
        return f ? f->name : QString();
    }
    case Shots: return r.shots;
    case Metric: return r.metric;
    case Value: return r.value;
    case Stderr: return r.hasStderr() ? QVariant(r.stderr_) : QVariant();
    case N: return r.n >= 0 ? QVariant(r.n) : QVariant();
    case ModelId: return r.modelRef;
    case Source: return r.source;
    default: return {};
    }
}

QVariant ResultsTableModel::data(const QModelIndex& index, int role) const
{
    const ResultRow* r = index.isValid() ? resultAt(index.row()) : nullptr;
    if (!r || index.column() < 0 || index.column() >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        const QVariant v = display(*r, index.column());
        if (index.column() == Value || index.column() == Stderr)
            return v.isNull() ? QVariant() : QVariant(QString::number(v.toDouble(), 'f', 4));
        return v;
    }
    if (role == Qt::ToolTipRole && (index.column() == Value || index.column() == Stderr)) {
        const QVariant v = display(*r, index.column());
        return v.isNull() ? QVariant() : QVariant(QString::number(v.toDouble(), 'g', QLocale::FloatingPointShortest));
    }
    if (role == SortRole) {
        if (index.column() == Checkpoint) {
            const CheckpointInfo* c = m_snapshot->checkpoint(r->checkpointId);
            if (!c)
                return {};
            // Final checkpoints after every numbered one.
            return c->isFinal ? std::numeric_limits<qint64>::max() : c->step.value_or(0);
        }
        return display(*r, index.column());
    }
    if (role == Qt::TextAlignmentRole) {
        switch (index.column()) {
        case Step: case Shots: case Value: case Stderr: case N:
            return int(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return int(Qt::AlignLeft | Qt::AlignVCenter);
        }
    }
    return {};
}

QVariant ResultsTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    static const char* const names[ColumnCount] = {"Series", "Checkpoint", "Step",   "Recipe", "Task",     "Format", "Shots",
                                                   "Metric", "Value",      "Stderr", "n",      "Model id", "Source"};
    if (section < 0 || section >= ColumnCount)
        return {};
    return tr(names[section]);
}

QString ResultsTableModel::toTsv(const QList<int>& rows) const
{
    QStringList lines;
    QStringList header;
    for (int c = 0; c < ColumnCount; ++c)
        header << headerData(c, Qt::Horizontal).toString();
    lines << header.join(QLatin1Char('\t'));
    for (int row : rows) {
        const ResultRow* r = resultAt(row);
        if (!r)
            continue;
        QStringList cells;
        for (int c = 0; c < ColumnCount; ++c) {
            const QVariant v = display(*r, c);
            cells << (v.typeId() == QMetaType::Double ? QString::number(v.toDouble(), 'g', QLocale::FloatingPointShortest) : v.toString());
        }
        lines << cells.join(QLatin1Char('\t'));
    }
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

} // namespace ckptlab
