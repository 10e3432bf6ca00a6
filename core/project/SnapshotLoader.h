#pragma once

#include "common/Outcome.h"
#include "project/Project.h"
#include "project/ProjectTypes.h"

namespace ckptlab {

// Reads every checkpoint, recipe, task, format and result of a project into memory, where the
// analyses and the item models work on it. Call it on a worker thread for large projects.
Outcome<ResultSnapshot> loadSnapshot(const Project& project);

} // namespace ckptlab
