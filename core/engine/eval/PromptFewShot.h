#pragma once

// Few-shot prompts: k demonstrations, each rendered with the test item's format as
// prompt + answer + separator (the spec's fewshot_separator, "\n" as in the study), form one
// fixed prefix put before every test item's prompt.

#include "engine/eval/TaskData.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ckptlab::engine {

enum class FewShotSource {
    FirstEval,   // the first k evaluation items, as the study did (they stay in the evaluation)
    TrainSample, // k distinct training items drawn with the request's seed
};

const char* fewShotSourceName(FewShotSource source); // "first_eval", "train_sample"

// k distinct indices out of n, drawn with a portable generator (same seed, same draw on every
// platform), in draw order.
std::vector<size_t> sampleIndices(size_t n, size_t k, uint64_t seed);

// One demonstration: the prompt in `format`, the gold answer, the separator.
std::string renderDemonstration(const TaskSpec& spec, const std::string& format, const TaskExample& example);

// An item's prompt alone (no demonstrations).
std::string renderPrompt(const TaskSpec& spec, const std::string& format, const TaskExample& example);

struct FewShotPrompts {
    std::string prefix;                // the demonstrations, concatenated
    std::vector<int64_t> demoLines;    // the lines they came from (in their file)
    std::vector<std::string> prompts;  // prefix + prompt, one per evaluated item
};

// Renders the first `limit` eval items (all when limit <= 0) with `shots` demonstrations.
// Throws EngineError when there are fewer items to draw demonstrations from than shots (or
// no training data for TrainSample).
FewShotPrompts renderFewShotPrompts(const LoadedTask& task, const std::string& format, int shots,
                                    FewShotSource source, uint64_t seed, int64_t limit);

} // namespace ckptlab::engine
