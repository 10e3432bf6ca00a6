#include "common/HumanUnits.h"

namespace ckptlab {

QString humanDuration(double seconds)
{
    if (seconds < 0)
        return {};
    const qint64 s = qint64(seconds + 0.5);
    if (s < 60)
        return QStringLiteral("%1 s").arg(s);
    if (s < 3600)
        return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60);
    return QStringLiteral("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
}

QString humanBytes(qint64 bytes)
{
    const double kib = double(bytes) / 1024.0;
    if (kib < 1024.0)
        return QStringLiteral("%1 KiB").arg(kib, 0, 'f', 0);
    if (kib < 1024.0 * 1024.0)
        return QStringLiteral("%1 MiB").arg(kib / 1024.0, 0, 'f', 0);
    return QStringLiteral("%1 GiB").arg(kib / (1024.0 * 1024.0), 0, 'f', 1);
}

QString humanCount(qint64 count)
{
    if (count < 1000)
        return QString::number(count);
    if (count < 1000 * 1000)
        return QStringLiteral("%1 k").arg(double(count) / 1e3, 0, 'f', 1);
    if (count < qint64(1000) * 1000 * 1000)
        return QStringLiteral("%1 M").arg(double(count) / 1e6, 0, 'f', 1);
    return QStringLiteral("%1 G").arg(double(count) / 1e9, 0, 'f', 1);
}

} // namespace ckptlab
