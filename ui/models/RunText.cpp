#include "models/RunText.h"

#include <QDateTime>

namespace ckptlab {

double secondsBetween(const QString& fromIso, const QString& toIso)
{
    const QDateTime from = QDateTime::fromString(fromIso, Qt::ISODate);
    const QDateTime to = QDateTime::fromString(toIso, Qt::ISODate);
    if (!from.isValid() || !to.isValid())
        return -1.0;
    return from.msecsTo(to) / 1000.0;
}

} // namespace ckptlab
