#pragma once

// Writing safetensors files: fine-tuned weights, and the tiny models tests make.

#include <torch/types.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ckptlab::engine {

// Writes `tensors` (any device, any layout of strides) and optional string metadata to `path`
// atomically: a temporary file is renamed into place, so `path` is never half-written. Data is
// laid out widest dtype first, so every tensor reads back zero-copy; the header is padded with
// spaces to a multiple of 8 bytes. Throws EngineError for duplicate or reserved names, undefined
// or sparse tensors, dtypes safetensors cannot store, and I/O failures.
void writeSafetensors(const std::string& path, const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

} // namespace ckptlab::engine
