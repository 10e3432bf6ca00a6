#pragma once

#include "project/ProjectTypes.h"

#include <QStandardItemModel>

namespace ckptlab {

// The project explorer's tree: checkpoint series with their steps, tasks with their prompt
// formats, and recipes, each with the number of results behind it.
class ProjectExplorerModel : public QStandardItemModel {
    Q_OBJECT
public:
    enum class NodeKind { Group, Series, Checkpoint, Task, Format, Recipe };
    static constexpr int KindRole = Qt::UserRole + 1;   // NodeKind as int
    static constexpr int NameRole = Qt::UserRole + 2;   // series / task / format / ft task name
    static constexpr int TaskRole = Qt::UserRole + 3;   // the task a format belongs to
    static constexpr int CountRole = Qt::UserRole + 4;  // results behind the node

    explicit ProjectExplorerModel(QObject* parent = nullptr);
    void setSnapshot(const ResultSnapshot& snapshot);
};

} // namespace ckptlab
