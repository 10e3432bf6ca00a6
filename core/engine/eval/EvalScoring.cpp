#include "engine/eval/EvalScoring.h"

#include "engine/eval/BatchPadding.h"
#include "engine/model/CausalLM.h"
#include "engine/EngineError.h"
#include "engine/eval/EvalForward.h"

#include <torch/torch.h>

namespace ckptlab::engine {

ScoreSequence makeScoreSequence(const std::vector<int64_t>& context, const std::vector<int64_t>& continuation,
                                int64_t maxLength, int64_t fallbackContext, bool* truncated)
{
    std::vector<int64_t> whole = context.empty() ? std::vector<int64_t>{fallbackContext} : context;
    whole.insert(whole.end(), continuation.begin(), continuation.end());
    ScoreSequence s;
    s.targets = continuation;
    if (continuation.empty()) { // next-token scoring: the whole context is the input
        s.tokens = whole;
    } else {
        s.tokens.assign(whole.begin(), whole.end() - 1);
    }
    const bool cut = maxLength > 0 && static_cast<int64_t>(s.tokens.size()) > maxLength;
    if (cut) {
        if (static_cast<int64_t>(s.targets.size()) > maxLength)
            throw EngineError("scoring", "a continuation of " + std::to_string(s.targets.size())
                                             + " tokens does not fit the model's " + std::to_string(maxLength) + " positions");
        s.tokens.erase(s.tokens.begin(), s.tokens.end() - maxLength);
    }
    if (truncated)
        *truncated = cut;
    return s;
}

std::vector<ScoreOutcome> scoreSequences(CausalLM& model, const std::vector<ScoreSequence>& sequences,
                                         const std::vector<int64_t>& candidates, const BatchedRun& run)
{
    std::vector<ScoreOutcome> outcomes(sequences.size());
    std::vector<int64_t> lengths;
    lengths.reserve(sequences.size());
    for (const ScoreSequence& s : sequences) {
        if (s.tokens.empty() || s.targets.size() > s.tokens.size())
            throw EngineError("scoring", "a sequence needs at least one input token and no more targets than inputs");
        lengths.push_back(static_cast<int64_t>(s.tokens.size()));
    }
    const std::vector<size_t> order = orderLongestFirst(lengths);
    std::vector<int64_t> orderedLengths;
    for (size_t i : order)
        orderedLengths.push_back(lengths[i]);
    const torch::Device device = model->device();
    const torch::Tensor candidateIds = torch::tensor(candidates.empty() ? std::vector<int64_t>{0} : candidates,
                                                     torch::kLong).to(device);

    const auto runBatch = [&](size_t begin, size_t end) {
        std::vector<const std::vector<int64_t>*> inputs;
        for (size_t k = begin; k < end; ++k)
            inputs.push_back(&sequences[order[k]].tokens);
        const PaddedBatch batch = padSequences(inputs, run.padding, run.padId, device);
        std::vector<ScoreOutcome> local(end - begin);
        forwardInChunks(model, batch, run.chunk, nullptr, [&](int64_t first, const at::Tensor& logits) {
            const int64_t width = logits.size(1);
            for (size_t row = 0; row < end - begin; ++row) {
                const ScoreSequence& s = sequences[order[begin + row]];
                const auto targetCount = static_cast<int64_t>(s.targets.size());
                if (targetCount == 0) {
                    const int64_t column = batch.lastColumn(row);
                    if (column < first || column >= first + width)
                        continue;
                    const torch::Tensor picked = logits[static_cast<int64_t>(row)][column - first]
                                                     .index_select(0, candidateIds).to(torch::kDouble).cpu();
                    local[row].candidateLogits.assign(picked.data_ptr<double>(), picked.data_ptr<double>() + picked.numel());
                    continue;
                }
                // Input position p (0-based in the sequence) predicts target p - (len - targets).
                const int64_t firstPos = batch.lengths[row] - targetCount;
                const int64_t lo = std::max(batch.column(row, firstPos), first);
                const int64_t hi = std::min(batch.lastColumn(row) + 1, first + width);
                if (lo >= hi)
                    continue;
                const int64_t targetBegin = lo - batch.column(row, firstPos);
                const torch::Tensor rows = logits[static_cast<int64_t>(row)].narrow(0, lo - first, hi - lo).to(torch::kFloat);
                const torch::Tensor logProbs = torch::log_softmax(rows, -1);
                const torch::Tensor targets =
                    torch::tensor(std::vector<int64_t>(s.targets.begin() + targetBegin, s.targets.begin() + targetBegin + (hi - lo)),
                                  torch::kLong).to(device);
                local[row].logProb += logProbs.gather(1, targets.unsqueeze(1)).sum().item<double>();
                local[row].greedy = local[row].greedy && logProbs.argmax(1).eq(targets).all().item<bool>();
            }
        });
        for (size_t row = 0; row < end - begin; ++row) {
            outcomes[order[begin + row]] = std::move(local[row]);
            if (run.onDone)
                run.onDone(order[begin + row]);
        }
        if (run.afterBatch)
            run.afterBatch();
    };
    if (!runInBatches(orderedLengths, run.limits, runBatch, run.cancel, run.stats))
        throw EvalCancelled();
    return outcomes;
}

} // namespace ckptlab::engine
