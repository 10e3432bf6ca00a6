#include "engine/eval/EvalGeneration.h"

#include "engine/eval/BatchPadding.h"
#include "engine/model/CausalLM.h"
#include "engine/EngineError.h"
#include "engine/eval/EvalForward.h"
#include "engine/model/KvCache.h"

#include <torch/torch.h>

#include <algorithm>

namespace ckptlab::engine {

size_t stopPosition(const std::string& text, const GenerationSettings& settings)
{
    size_t cut = settings.stopAtNewline ? text.find('\n') : std::string::npos;
    for (const std::string& stop : settings.stopStrings) {
        if (!stop.empty())
            cut = std::min(cut, text.find(stop));
    }
    return cut;
}

namespace {

struct RowState {
    GeneratedText out;
    bool done = false;
};

// Appends one generated token to a row and decides whether the row is finished.
void advance(RowState& row, int64_t token, double logProb, const TextCodec* codec, const GenerationSettings& s)
{
    if (std::find(s.eosIds.begin(), s.eosIds.end(), token) != s.eosIds.end()) {
        row.done = row.out.stoppedEarly = true;
        return;
    }
    row.out.tokens.push_back(token);
    row.out.logProb += logProb;
    if (codec && (s.stopAtNewline || !s.stopStrings.empty())) {
        const std::string text = codec->decode(row.out.tokens);
        const size_t cut = stopPosition(text, s);
        if (cut != std::string::npos) {
            row.out.text = text.substr(0, cut);
            row.done = row.out.stoppedEarly = true;
            return;
        }
    }
    if (static_cast<int64_t>(row.out.tokens.size()) >= s.maxNewTokens)
        row.done = true;
}

} // namespace

std::vector<GeneratedText> generateGreedy(CausalLM& model, const TextCodec* codec,
                                          const std::vector<std::vector<int64_t>>& prompts,
                                          const GenerationSettings& settings, const BatchedRun& run)
{
    if (settings.maxNewTokens < 1)
        throw EngineError("generation", "max new tokens must be at least 1");
    std::vector<GeneratedText> results(prompts.size());
    std::vector<int64_t> lengths;
    for (const auto& p : prompts) {
        if (p.empty())
            throw EngineError("generation", "a prompt without tokens");
        lengths.push_back(static_cast<int64_t>(p.size()) + settings.maxNewTokens);
    }
    const std::vector<size_t> order = orderLongestFirst(lengths);
    std::vector<int64_t> orderedLengths;
    for (size_t i : order)
        orderedLengths.push_back(lengths[i]);
    const torch::Device device = model->device();

    const auto runBatch = [&](size_t begin, size_t end) {
        torch::NoGradGuard noGrad;
        const auto rows = static_cast<int64_t>(end - begin);
        std::vector<const std::vector<int64_t>*> inputs;
        for (size_t k = begin; k < end; ++k)
            inputs.push_back(&prompts[order[k]]);
        const PaddedBatch batch = padSequences(inputs, run.padding, run.padId, device);
        KvCache cache;
        std::vector<torch::Tensor> lastLogits(static_cast<size_t>(rows));
        forwardInChunks(model, batch, run.chunk, &cache, [&](int64_t first, const at::Tensor& logits) {
            for (int64_t r = 0; r < rows; ++r) {
                const int64_t column = batch.lastColumn(static_cast<size_t>(r));
                if (column >= first && column < first + logits.size(1))
                    lastLogits[static_cast<size_t>(r)] = logits[r][column - first];
            }
        });
        torch::Tensor next = torch::stack(lastLogits); // [rows, vocab]
        std::vector<RowState> state(static_cast<size_t>(rows));
        const torch::Tensor stepMask = torch::ones({rows, 1}, torch::TensorOptions().dtype(torch::kLong).device(device));
        for (int step = 0; step < settings.maxNewTokens; ++step) {
            const torch::Tensor chosen = next.argmax(-1); // on the raw logits, as greedyContinuation
            const torch::Tensor best = torch::log_softmax(next.to(torch::kFloat), -1).gather(1, chosen.unsqueeze(1)).squeeze(1);
            const torch::Tensor chosenCpu = chosen.cpu(), bestCpu = best.to(torch::kDouble).cpu();
            bool allDone = true;
            for (int64_t r = 0; r < rows; ++r) {
                RowState& row = state[static_cast<size_t>(r)];
                if (!row.done)
                    advance(row, chosenCpu[r].item<int64_t>(), bestCpu[r].item<double>(), codec, settings);
                allDone = allDone && row.done;
            }
            if (allDone || step + 1 == settings.maxNewTokens)
                break;
            if (run.cancel && run.cancel->load()) // a long batch stays responsive
                throw EvalCancelled();
            next = model->forward(chosen.unsqueeze(1), stepMask, &cache).select(1, 0);
        }
        for (int64_t r = 0; r < rows; ++r) {
            RowState& row = state[static_cast<size_t>(r)];
            if (codec && row.out.text.empty() && !row.out.tokens.empty()) {
                row.out.text = codec->decode(row.out.tokens);
                const size_t cut = stopPosition(row.out.text, settings);
                if (cut != std::string::npos)
                    row.out.text.resize(cut);
            }
            const size_t index = order[begin + static_cast<size_t>(r)];
            results[index] = std::move(row.out);
            if (run.onDone)
                run.onDone(index);
        }
        if (run.afterBatch)
            run.afterBatch();
    };
    if (!runInBatches(orderedLengths, run.limits, runBatch, run.cancel, run.stats))
        throw EvalCancelled();
    return results;
}

} // namespace ckptlab::engine
