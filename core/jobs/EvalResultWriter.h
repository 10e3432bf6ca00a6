#pragma once

// Writing one finished evaluation into the project: a result per metric, and the predictions
// behind each, for a base checkpoint or a fine-tuned model. Inside the caller's transaction, so
// a run's results land together with its final state.

#include "common/Outcome.h"
#include "project/ProjectWriter.h"

namespace ckptlab {

namespace engine {
struct EvalResult;
struct TaskSpec;
} // namespace engine

Status writeEvalResult(ProjectWriter& writer, RowId checkpointId, RowId recipeId, const QString& modelRef,
                       const engine::TaskSpec& spec, const engine::EvalResult& result, int* written);

} // namespace ckptlab
