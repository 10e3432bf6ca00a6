#include "widgets/ProgressBarDelegate.h"

#include "models/RunTableModel.h"

#include <QApplication>
#include <QPainter>
#include <QStyleOptionProgressBar>

namespace ckptlab {

void ProgressBarDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    const QString text = index.data(Qt::DisplayRole).toString();
    if (text.isEmpty()) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    // The selection highlight first, so a selected row reads as selected across this cell too.
    QStyleOptionViewItem background = option;
    initStyleOption(&background, index);
    background.text.clear();
    const QWidget* widget = option.widget;
    QStyle* style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &background, painter, widget);

    QStyleOptionProgressBar bar;
    bar.rect = option.rect.adjusted(2, 2, -2, -2);
    bar.minimum = 0;
    bar.maximum = 100;
    bar.progress = index.data(RunTableModel::ProgressRole).toInt();
    const bool paused = index.data(RunTableModel::PausedRole).toBool();
    bar.text = paused ? tr("paused · %1").arg(text) : text;
    bar.textVisible = true;
    bar.textAlignment = Qt::AlignCenter;
    bar.state = option.state | QStyle::State_Horizontal;
    bar.palette = option.palette;
    // Finished runs that did not succeed keep their bar, greyed.
    const auto state = RunState(index.data(RunTableModel::StateRole).toInt());
    if (paused || (state != RunState::Running && state != RunState::Done))
        bar.state &= ~QStyle::State_Enabled;
    style->drawControl(QStyle::CE_ProgressBar, &bar, painter, widget);
}

} // namespace ckptlab
