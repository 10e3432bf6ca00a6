#pragma once

// How durations, sizes and counts read for a person: in the queue, the planner's estimates and
// the command line alike.

#include <QString>

namespace ckptlab {

// "45 s", "3 min 5 s", "2 h 10 min"; "" for a negative (unknown) duration.
QString humanDuration(double seconds);
// "512 KiB", "340 MiB", "2.1 GiB".
QString humanBytes(qint64 bytes);
// "950", "12.3 k", "4.1 M", "2.0 G" (tokens).
QString humanCount(qint64 count);

} // namespace ckptlab
