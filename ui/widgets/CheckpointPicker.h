#pragma once

#include "project/ProjectTypes.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QTreeWidget;
class QTreeWidgetItem;

namespace ckptlab {

// Which scanned checkpoints a plan uses: a checkable list grouped by series, and a quick
// "series + step range" selection. Only checkpoints with a readable folder are offered.
class CheckpointPicker : public QWidget {
    Q_OBJECT
public:
    explicit CheckpointPicker(const QVector<CheckpointInfo>& checkpoints, QWidget* parent = nullptr);

    void setChecked(const QVector<CheckpointInfo>& chosen);     // by id; the rest unchecked
    // Checks exactly the checkpoints of `series` (all when empty) with steps in [from, to].
    void checkRange(const QString& series, qint64 fromStep, qint64 toStep = -1);
    QVector<CheckpointInfo> checkedCheckpoints() const;
    int offeredCount() const { return m_offered.size(); }

signals:
    void changed();

private:
    void applyRange();
    void updateCount();

    QVector<CheckpointInfo> m_offered;
    QTreeWidget* m_tree;
    QComboBox* m_series;
    QLineEdit* m_from;
    QLineEdit* m_to;
    QLabel* m_count;
    bool m_updating = false;
};

} // namespace ckptlab
