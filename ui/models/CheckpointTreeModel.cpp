#include "models/CheckpointTreeModel.h"

#include <QBrush>
#include <QLocale>

namespace ckptlab {

namespace {

// Internal id of a checkpoint row: its series' position + 1 (0 marks a series row).
quintptr seriesTag(int seriesRow) { return quintptr(seriesRow) + 1; }

QString compactCount(qint64 n)
{
    if (n >= 1'000'000'000)
        return QStringLiteral("%1B").arg(n / 1e9, 0, 'f', 2);
    if (n >= 1'000'000)
        return QStringLiteral("%1M").arg(n / 1e6, 0, 'f', 1);
    if (n >= 1'000)
        return QStringLiteral("%1K").arg(n / 1e3, 0, 'f', 1);
    return QString::number(n);
}

QColor statusColor(const QString& status)
{
    if (status == QLatin1String("ok"))
        return QColor(0x1a, 0x7f, 0x37);
    if (status == QLatin1String("needs conversion"))
        return QColor(0xb3, 0x6b, 0x00);
    if (status.isEmpty())
        return QColor(0x70, 0x70, 0x70);
    return QColor(0xc0, 0x1c, 0x28);
}

} // namespace

CheckpointTreeModel::CheckpointTreeModel(QObject* parent) : QAbstractItemModel(parent) {}

void CheckpointTreeModel::setSnapshot(const ResultSnapshot& snapshot)
{
    beginResetModel();
    m_series.clear();
    for (const CheckpointInfo& c : snapshot.checkpoints) { // already in series, step order
        if (m_series.isEmpty() || m_series.last().name != c.series)
            m_series.push_back({c.series, {}});
        m_series.last().checkpoints.push_back(c);
    }
    endResetModel();
}

QModelIndex CheckpointTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (column < 0 || column >= ColumnCount || row < 0)
        return {};
    if (!parent.isValid())
        return row < m_series.size() ? createIndex(row, column, quintptr(0)) : QModelIndex();
    if (parent.internalId() != 0 || parent.row() >= m_series.size())
        return {};
    if (row >= m_series[parent.row()].checkpoints.size())
        return {};
    return createIndex(row, column, seriesTag(parent.row()));
}

QModelIndex CheckpointTreeModel::parent(const QModelIndex& child) const
{
    if (!child.isValid() || child.internalId() == 0)
        return {};
    return createIndex(int(child.internalId() - 1), 0, quintptr(0));
}

int CheckpointTreeModel::rowCount(const QModelIndex& parent) const
{
    if (!parent.isValid())
        return m_series.size();
    if (parent.column() != 0 || parent.internalId() != 0)
        return 0;
    return m_series.value(parent.row()).checkpoints.size();
}

int CheckpointTreeModel::columnCount(const QModelIndex&) const
{
    return ColumnCount;
}

const CheckpointInfo* CheckpointTreeModel::checkpointAt(const QModelIndex& index) const
{
    if (!index.isValid() || index.internalId() == 0)
        return nullptr;
    const int series = int(index.internalId() - 1);
    if (series >= m_series.size() || index.row() >= m_series[series].checkpoints.size())
        return nullptr;
    return &m_series[series].checkpoints[index.row()];
}

QVariant CheckpointTreeModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    if (const CheckpointInfo* c = checkpointAt(index))
        return checkpointData(*c, index.column(), role);
    if (index.internalId() == 0 && index.row() < m_series.size())
        return seriesData(m_series[index.row()], index.column(), role);
    return {};
}

QVariant CheckpointTreeModel::seriesData(const Series& s, int column, int role) const
{
    if (role != Qt::DisplayRole)
        return {};
    if (column == Name)
        return tr("%1 (%n checkpoint(s))", nullptr, s.checkpoints.size()).arg(s.name);
    if (column == Status) {
        int ok = 0;
        for (const CheckpointInfo& c : s.checkpoints)
            ok += c.status == QLatin1String("ok");
        return tr("%1 of %2 ok").arg(ok).arg(s.checkpoints.size());
    }
    return {};
}

QVariant CheckpointTreeModel::checkpointData(const CheckpointInfo& c, int column, int role) const
{
    if (role == Qt::ForegroundRole && column == Status)
        return QBrush(statusColor(c.status));
    if (role == Qt::ToolTipRole)
        return c.statusDetail.isEmpty() ? QVariant(c.path) : QVariant(c.statusDetail);
    if (role == Qt::TextAlignmentRole && (column == Step || column == Tokens || column == Parameters || column == Size))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (column) {
    case Name: return c.label;
    case Step: return c.step ? QVariant(*c.step) : QVariant();
    case Tokens: return c.tokens ? QVariant(compactCount(qint64(*c.tokens))) : QVariant();
    case Family: return c.family;
    case Parameters: return c.parameters ? QVariant(compactCount(*c.parameters)) : QVariant();
    case DType: return c.dtype;
    case Size: return c.bytes ? QVariant(QLocale().formattedDataSize(*c.bytes, 1, QLocale::DataSizeSIFormat)) : QVariant();
    case Status: return c.status.isEmpty() ? tr("results only") : c.status;
    case Path: return c.path;
    default: return {};
    }
}

QVariant CheckpointTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char* const names[ColumnCount] = {"Checkpoint", "Step",   "Tokens", "Family", "Parameters",
                                                   "Dtype",      "Size",   "Status", "Path"};
    return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
}

} // namespace ckptlab
