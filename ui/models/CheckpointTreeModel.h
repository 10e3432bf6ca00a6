#pragma once

#include "project/ProjectTypes.h"

#include <QAbstractItemModel>

namespace ckptlab {

// The project's checkpoints grouped by series: one parent row per series, one child row per
// checkpoint (step, tokens, family, parameters, dtype, size, status, path).
class CheckpointTreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column { Name, Step, Tokens, Family, Parameters, DType, Size, Status, Path, ColumnCount };

    explicit CheckpointTreeModel(QObject* parent = nullptr);
    void setSnapshot(const ResultSnapshot& snapshot);

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    const CheckpointInfo* checkpointAt(const QModelIndex& index) const;

private:
    struct Series {
        QString name;
        QVector<CheckpointInfo> checkpoints;
    };
    QVariant checkpointData(const CheckpointInfo& c, int column, int role) const;
    QVariant seriesData(const Series& s, int column, int role) const;

    QVector<Series> m_series;
};

} // namespace ckptlab
