#pragma once

// A message box that does not block: window-modal, opened rather than exec'd, deleted when
// closed, so background work and tests go on while it is shown.

#include <QMessageBox>
#include <QString>

namespace ckptlab {

void openMessage(QWidget* parent, QMessageBox::Icon icon, const QString& title, const QString& text,
                 const QString& details = {});

} // namespace ckptlab
