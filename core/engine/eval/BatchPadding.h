#pragma once

// Engine-internal (includes ATen): token sequences of different lengths as one padded batch.
// Left padding puts every sequence's last token in the last column (what generation wants);
// right padding starts every sequence at column 0. The attention mask marks real tokens, and
// CausalLM derives positions from it, so each real token gets the logits it has alone.

#include "engine/eval/EvalTypes.h"

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <vector>

namespace ckptlab::engine {

struct PaddedBatch {
    at::Tensor ids;               // [B, T] int64, padding filled with padId
    at::Tensor mask;              // [B, T] int64, 1 = token, 0 = padding
    std::vector<int64_t> offsets; // column of each sequence's first token
    std::vector<int64_t> lengths;
    int64_t width = 0;            // T

    // Column of token `position` of sequence `row`.
    int64_t column(size_t row, int64_t position) const { return offsets[row] + position; }
    int64_t lastColumn(size_t row) const { return offsets[row] + lengths[row] - 1; }
};

// Every sequence must hold at least one token.
PaddedBatch padSequences(const std::vector<const std::vector<int64_t>*>& sequences, PaddingSide side,
                         int64_t padId, c10::Device device);

} // namespace ckptlab::engine
