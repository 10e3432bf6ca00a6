#include "engine/eval/EvalForward.h"

#include "engine/model/CausalLM.h"
#include "engine/model/KvCache.h"

#include <torch/torch.h>

#include <algorithm>

namespace ckptlab::engine {

void forwardInChunks(CausalLM& model, const PaddedBatch& batch, int64_t chunk, KvCache* cache,
                     const std::function<void(int64_t firstColumn, const at::Tensor& logits)>& visit)
{
    torch::NoGradGuard noGrad;
    chunk = std::max<int64_t>(1, chunk);
    if (batch.width <= chunk && !cache) {
        visit(0, model->forward(batch.ids, batch.mask));
        return;
    }
    KvCache local;
    KvCache* use = cache ? cache : &local;
    for (int64_t first = 0; first < batch.width; first += chunk) {
        const int64_t width = std::min(chunk, batch.width - first);
        visit(first, model->forward(batch.ids.narrow(1, first, width), batch.mask.narrow(1, first, width), use));
    }
}

} // namespace ckptlab::engine
