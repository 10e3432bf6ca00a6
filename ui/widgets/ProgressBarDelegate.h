#pragma once

#include <QStyledItemDelegate>

namespace ckptlab {

// Draws RunTableModel's progress column as a progress bar (ProgressRole, 0..100); a queued
// run's empty cell stays empty.
class ProgressBarDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

} // namespace ckptlab
