#pragma once

// Plain-value entry points into the engine for callers that must not include torch
// (core/jobs, the CLI): standard library types in, standard library types out.

#include <cstdint>
#include <string>
#include <vector>

namespace ckptlab::engine {

struct SequenceLogits {
    std::int64_t tokens = 0;
    std::int64_t vocab = 0;
    std::vector<float> values;   // [tokens, vocab], row-major
};

// Loads checkpointDir (dtype "fp32"|"bf16"|"fp16", device "cpu"|"cuda:N") and returns the
// logits of one sequence as float32. Throws EngineError naming what is wrong.
SequenceLogits forwardLogits(const std::string& checkpointDir, const std::vector<std::int64_t>& ids,
                             const std::string& dtype, const std::string& device);

} // namespace ckptlab::engine
