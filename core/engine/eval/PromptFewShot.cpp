#include "engine/eval/PromptFewShot.h"

#include "engine/EngineError.h"
#include "engine/eval/PromptTemplate.h"
#include "engine/SeededRandom.h"

#include <algorithm>
#include <numeric>

namespace ckptlab::engine {

const char* fewShotSourceName(FewShotSource source)
{
    return source == FewShotSource::FirstEval ? "first_eval" : "train_sample";
}

namespace {

std::string render(const TaskSpec& spec, const std::string& format, const TaskExample& example)
{
    try {
        return PromptTemplate(spec.formatTemplate(format)).render(example.fields);
    } catch (const std::invalid_argument& e) {
        throw EngineError(spec.sourcePath, "line " + std::to_string(example.line) + ": " + e.what());
    }
}

} // namespace

std::vector<size_t> sampleIndices(size_t n, size_t k, uint64_t seed)
{
    std::vector<size_t> pool(n);
    std::iota(pool.begin(), pool.end(), size_t(0));
    uint64_t state = seed;
    k = std::min(k, n);
    for (size_t i = 0; i < k; ++i) { // partial Fisher-Yates
        const size_t j = i + static_cast<size_t>(boundedRandom(state, n - i));
        std::swap(pool[i], pool[j]);
    }
    pool.resize(k);
    return pool;
}

std::string renderPrompt(const TaskSpec& spec, const std::string& format, const TaskExample& example)
{
    return render(spec, format, example);
}

std::string renderDemonstration(const TaskSpec& spec, const std::string& format, const TaskExample& example)
{
    return render(spec, format, example) + example.answerText(spec) + spec.fewShotSeparator;
}

FewShotPrompts renderFewShotPrompts(const LoadedTask& task, const std::string& format, int shots,
                                    FewShotSource source, uint64_t seed, int64_t limit)
{
    const TaskSpec& spec = task.spec;
    spec.formatTemplate(format); // throws for an unknown format
    if (shots < 0)
        throw EngineError(spec.sourcePath, "the number of shots cannot be negative");
    FewShotPrompts out;
    const auto k = static_cast<size_t>(shots);
    if (source == FewShotSource::FirstEval) {
        if (k > task.eval.size())
            throw EngineError(spec.evalFile, std::to_string(shots) + " shots need " + std::to_string(shots)
                                                 + " evaluation items, the file has " + std::to_string(task.eval.size()));
        for (size_t i = 0; i < k; ++i) {
            out.prefix += renderDemonstration(spec, format, task.eval[i]);
            out.demoLines.push_back(task.eval[i].line);
        }
    } else if (k > 0) {
        if (task.train.empty())
            throw EngineError(spec.sourcePath, "few-shot demonstrations from training data need the training file loaded");
        if (k > task.train.size())
            throw EngineError(spec.trainFile, std::to_string(shots) + " shots need " + std::to_string(shots)
                                                  + " training items, the file has " + std::to_string(task.train.size()));
        for (size_t i : sampleIndices(task.train.size(), k, seed)) {
            out.prefix += renderDemonstration(spec, format, task.train[i]);
            out.demoLines.push_back(task.train[i].line);
        }
    }
    const size_t count = limit > 0 ? std::min(task.eval.size(), static_cast<size_t>(limit)) : task.eval.size();
    out.prompts.reserve(count);
    for (size_t i = 0; i < count; ++i)
        out.prompts.push_back(out.prefix + renderPrompt(spec, format, task.eval[i]));
    return out;
}

} // namespace ckptlab::engine
