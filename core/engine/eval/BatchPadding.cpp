#include "engine/eval/BatchPadding.h"

#include "engine/EngineError.h"

#include <ATen/ATen.h>

#include <algorithm>

namespace ckptlab::engine {

PaddedBatch padSequences(const std::vector<const std::vector<int64_t>*>& sequences, PaddingSide side,
                         int64_t padId, c10::Device device)
{
    PaddedBatch batch;
    if (sequences.empty())
        throw EngineError("padSequences", "an empty batch");
    for (const auto* s : sequences) {
        if (s->empty())
            throw EngineError("padSequences", "a sequence without tokens");
        batch.width = std::max<int64_t>(batch.width, static_cast<int64_t>(s->size()));
    }
    const auto rows = static_cast<int64_t>(sequences.size());
    at::Tensor ids = at::full({rows, batch.width}, padId, at::kLong);
    at::Tensor mask = at::zeros({rows, batch.width}, at::kLong);
    auto idsData = ids.accessor<int64_t, 2>();
    auto maskData = mask.accessor<int64_t, 2>();
    for (int64_t r = 0; r < rows; ++r) {
        const std::vector<int64_t>& s = *sequences[static_cast<size_t>(r)];
        const auto length = static_cast<int64_t>(s.size());
        const int64_t offset = side == PaddingSide::Left ? batch.width - length : 0;
        for (int64_t i = 0; i < length; ++i) {
            idsData[r][offset + i] = s[static_cast<size_t>(i)];
            maskData[r][offset + i] = 1;
        }
        batch.offsets.push_back(offset);
        batch.lengths.push_back(length);
    }
    batch.ids = ids.to(device);
    batch.mask = mask.to(device);
    return batch;
}

} // namespace ckptlab::engine
