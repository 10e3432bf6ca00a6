#pragma once

// How the queue's numbers read in the table, the status line and the plan dialog.

#include <QString>

namespace ckptlab {

// "45 s", "3 min 5 s", "2 h 10 min"; "" for a negative (unknown) duration.
QString humanDuration(double seconds);
// "512 KiB", "340 MiB", "2.1 GiB".
QString humanBytes(qint64 bytes);
// "950", "12.3 k", "4.1 M", "2.0 G" (tokens).
QString humanCount(qint64 count);
// Seconds from one ISO timestamp of the run table to another; -1 when either is missing.
double secondsBetween(const QString& fromIso, const QString& toIso);

} // namespace ckptlab
