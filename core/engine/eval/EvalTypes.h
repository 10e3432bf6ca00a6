#pragma once

// The plain value types of an evaluation: what to run (EvalRequest), how it went
// (EvalResult: metric summaries and every prediction), progress reports, cancellation, and the
// text codec the evaluator tokenizes with. Standard library only, so core/jobs and the CLI can
// use them without torch.

#include "engine/eval/MetricStats.h"
#include "engine/eval/PromptFewShot.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ckptlab::engine {

// Text <-> token ids, as the evaluator needs it. engine/EvalTokenizerCodec.h adapts the
// engine's Tokenizer; tests use a byte-level codec.
class TextCodec {
public:
    virtual ~TextCodec() = default;
    // No special tokens added.
    virtual std::vector<int64_t> encode(std::string_view text) const = 0;
    virtual std::string decode(const std::vector<int64_t>& ids) const = 0;
    virtual std::optional<int64_t> eosId() const = 0;
};

enum class ClassificationScoring {
    NextToken, // the study: the next token's logits restricted to the first token of each label
               // word with and without a leading space; the label of the best token wins
    FullLabel, // the log-likelihood of each whole label word after the prompt
};
const char* classificationScoringName(ClassificationScoring scoring); // "next_token", "full_label"

enum class PaddingSide { Left, Right };

struct EvalRequest {
    std::string format;          // empty = the spec's default format
    int shots = 0;
    FewShotSource fewShotSource = FewShotSource::FirstEval;
    int64_t limit = 0;           // evaluate the first `limit` items; <= 0: all
    int batchSize = 0;           // largest batch; 0 = chosen from the memory available
    int maxNewTokens = 0;        // generation; 0 = the spec's (60 unless it says otherwise)
    std::optional<bool> stopAtNewline;     // generation; unset = the spec's
    std::vector<std::string> stopStrings;  // generation; added to the spec's
    uint64_t seed = 1234;        // few-shot sampling and the bootstrap
    ClassificationScoring scoring = ClassificationScoring::NextToken;
    PaddingSide padding = PaddingSide::Left;
    int bootstrapResamples = 1000;
};

// One evaluated item, kept so that a chart point can be opened down to its examples.
struct EvalPrediction {
    int64_t index = 0;         // position in the evaluation file's order (0-based)
    int64_t line = 0;          // line in the evaluation file
    std::string promptHash;    // SHA-256 (hex) of the full rendered prompt, demonstrations included
    std::string output;        // predicted label word, chosen choice text (acc) or generated text
    std::string target;        // gold label word, correct choice text or reference text
    double score = 0.0;        // the task's primary metric for this item (== scores[0])
    std::vector<double> scores; // one per EvalResult::metrics entry, in that order
    double logProb = 0.0;      // the model's log-probability of `output` (next-token mode: the
                               // restricted softmax; generation: sum over generated tokens)
    int64_t promptTokens = 0;
    bool truncated = false;    // the prompt was cut on the left to fit the model's positions
};

struct EvalResult {
    std::string task;
    std::string format;
    int shots = 0;
    std::string kind;          // taskKindName
    std::string scoring;       // "next_token", "full_label", "loglikelihood", "greedy"
    std::vector<MetricSummary> metrics;   // the primary metric first
    std::vector<EvalPrediction> predictions; // in evaluation-file order
    std::vector<int64_t> demonstrationLines; // where the few-shot demonstrations came from
    double seconds = 0.0;
    double itemsPerSecond = 0.0;
    int64_t tokensScored = 0;  // tokens through the model (padding excluded)
    int finalBatchSize = 0;    // the largest batch size in use at the end (after any reduction)
    int outOfMemoryRetries = 0;
};

struct EvalProgress {
    int64_t done = 0;          // items finished
    int64_t total = 0;
    double itemsPerSecond = 0.0;
};
using EvalProgressCallback = std::function<void(const EvalProgress&)>;

// Thrown when the cancellation flag was seen set (checked before every batch); nothing of the
// evaluation is returned.
class EvalCancelled : public std::runtime_error {
public:
    EvalCancelled()
        : std::runtime_error("evaluation cancelled")
    {
    }
};

} // namespace ckptlab::engine
