#pragma once

// How the queue's numbers read in the table, the status line and the plan dialog.

#include "common/HumanUnits.h"
#include "project/RunTypes.h"

#include <QString>

namespace ckptlab {

// The words the queue shows for a state ("queued", "running", ...) and a kind.
QString runStateText(RunState state);
QString runKindText(RunKind kind);
QString runPhaseText(RunPhase phase);

// Seconds from one ISO timestamp of the run table to another; -1 when either is missing.
double secondsBetween(const QString& fromIso, const QString& toIso);

} // namespace ckptlab
