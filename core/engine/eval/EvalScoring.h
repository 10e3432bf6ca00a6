#pragma once

// Batched log-likelihood scoring. A sequence is the model input (context followed by the
// continuation without its last token) and the continuation's tokens as targets; its outcome
// is the summed log-probability of the targets and whether each was the argmax. A sequence
// without targets reads the next-token logits after its last token instead, at the given
// candidate ids (restricted next-token classification). Standard library only.

#include "engine/eval/BatchRunner.h"
#include "engine/eval/EvalTypes.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <vector>

namespace ckptlab::engine {

class CausalLM;

struct ScoreSequence {
    std::vector<int64_t> tokens;  // model input, at least one token
    std::vector<int64_t> targets; // the last targets.size() inputs predict these; may be empty
};

struct ScoreOutcome {
    double logProb = 0.0;              // sum of log p(target | before)
    bool greedy = true;                // every target was the most likely token
    std::vector<double> candidateLogits; // no targets: raw logits of the candidates
};

// How a batched run goes: padding side, batch limits, pad id, forward chunk, cancellation,
// and a callback per finished sequence (called after its batch, from the calling thread).
struct BatchedRun {
    PaddingSide padding = PaddingSide::Left;
    BatchLimits limits;
    int64_t padId = 0;
    int64_t chunk = 512;
    const std::atomic<bool>* cancel = nullptr;
    std::function<void(size_t sequence)> onDone;
    std::function<void()> afterBatch; // after each finished batch (progress reports)
    BatchRunStats* stats = nullptr;
};

// The (context, continuation) pair as one ScoreSequence, keeping at most maxLength input
// tokens (the context is cut on the left, like lm-evaluation-harness); `truncated` tells.
// An empty context becomes `fallbackContext` (one token, e.g. EOS).
ScoreSequence makeScoreSequence(const std::vector<int64_t>& context, const std::vector<int64_t>& continuation,
                                int64_t maxLength, int64_t fallbackContext, bool* truncated = nullptr);

// Scores every sequence, longest first in batches. Throws EvalCancelled when run.cancel is set.
std::vector<ScoreOutcome> scoreSequences(CausalLM& model, const std::vector<ScoreSequence>& sequences,
                                         const std::vector<int64_t>& candidates, const BatchedRun& run);

} // namespace ckptlab::engine
