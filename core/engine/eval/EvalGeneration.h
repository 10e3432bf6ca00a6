#pragma once

// Batched greedy decoding with the KV cache: prompts padded together (left or right), one
// prefill, then one token per step for the whole batch until every sequence stopped. A
// sequence stops at an EOS id (not kept), at max new tokens, or, when a codec is given, at
// the first newline (if asked) or stop string in its decoded text (the text is cut before it).
// Standard library only.

#include "engine/eval/EvalScoring.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ckptlab::engine {

struct GenerationSettings {
    int maxNewTokens = 60;
    bool stopAtNewline = false;
    std::vector<std::string> stopStrings;
    std::vector<int64_t> eosIds;
};

struct GeneratedText {
    std::vector<int64_t> tokens; // generated ids (EOS excluded)
    std::string text;            // decoded and cut at a stop; empty without a codec
    double logProb = 0.0;        // sum of the log-probabilities of `tokens`
    bool stoppedEarly = false;   // by EOS, newline or a stop string
};

// Throws EvalCancelled when run.cancel is seen set (checked before every batch and every step).
std::vector<GeneratedText> generateGreedy(CausalLM& model, const TextCodec* codec,
                                          const std::vector<std::vector<int64_t>>& prompts,
                                          const GenerationSettings& settings, const BatchedRun& run);

// Where `text` must be cut for the settings' newline and stop strings (npos: nowhere).
size_t stopPosition(const std::string& text, const GenerationSettings& settings);

} // namespace ckptlab::engine
