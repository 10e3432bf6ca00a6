#pragma once

// Reads one checkpoint folder: which layout it is, its step and series from the folder names
// and trainer_state.json, its family from config.json, and its parameters and dtype from the
// safetensors headers. Never reads a weight.

#include "project/ProjectTypes.h"

namespace ckptlab {

enum class CheckpointLayout { None, HuggingFaceSafetensors, HuggingFaceSharded, PytorchPickle, OlmoNative };

CheckpointLayout detectCheckpointLayout(const QString& folder);

// The folder as a checkpoint; status "broken" with a reason when something is wrong.
CheckpointInfo readCheckpointFolder(const QString& folder, CheckpointLayout layout);

} // namespace ckptlab
