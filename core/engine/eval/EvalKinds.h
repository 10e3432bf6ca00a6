#pragma once

// Engine-internal: the per-kind halves of evaluate() (Evaluator.cpp does the common part).
// Each turns rendered prompts into predictions with per-example metric scores.

#include "engine/eval/EvalScoring.h"
#include "engine/eval/EvalTypes.h"
#include "engine/eval/TaskData.h"

#include <functional>
#include <string>
#include <vector>

namespace ckptlab::engine {

class CausalLM;

struct EvalJob {
    CausalLM& model;
    const TextCodec& codec;
    const TaskSpec& spec;
    const EvalRequest& request;
    std::vector<const TaskExample*> items;
    std::vector<std::string> prompts;   // full prompts, one per item
    BatchedRun run;                     // limits, padding, cancel, afterBatch; onDone is set per kind
    int64_t maxLength = 0;              // model positions
    int64_t fallbackToken = 0;          // context for an empty prompt (EOS)
    std::vector<int64_t> eosIds;        // generation stops at these (codec's and model's EOS)
    std::function<void(int64_t itemsDone)> itemsDone;
    std::function<BatchLimits(int64_t longest)> limitsFor; // batch limits for the longest sequence
};

struct KindOutcome {
    std::string scoring;                  // "next_token", "full_label", "loglikelihood", "greedy"
    std::vector<std::string> metricNames; // the primary metric first
    std::vector<EvalPrediction> predictions; // index, output, target, scores, logProb, tokens filled
    int64_t tokens = 0;
};

KindOutcome runClassification(EvalJob& job);
KindOutcome runMultipleChoice(EvalJob& job);
KindOutcome runGeneration(EvalJob& job);

// Context and continuation token ids for scoring `continuation` after `prompt`: trailing
// whitespace of the prompt moves to the continuation (lm-evaluation-harness), then the
// continuation's ids are those the whole text has beyond the context's.
std::pair<std::vector<int64_t>, std::vector<int64_t>> splitContinuation(const TextCodec& codec, const std::string& prompt,
                                                                         const std::string& continuation);

// Ids of the first token of each label word, with and without a leading space: result[label]
// lists that label's candidate ids. A token that begins words of two labels is dropped from
// both; a label left with none throws EngineError.
std::vector<std::vector<int64_t>> labelCandidates(const TextCodec& codec, const TaskSpec& spec);

} // namespace ckptlab::engine
