#include "widgets/OpenMessage.h"

namespace ckptlab {

void openMessage(QWidget* parent, QMessageBox::Icon icon, const QString& title, const QString& text,
                 const QString& details)
{
    auto* box = new QMessageBox(icon, title, text, QMessageBox::Ok, parent);
    if (!details.isEmpty())
        box->setDetailedText(details);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

} // namespace ckptlab
