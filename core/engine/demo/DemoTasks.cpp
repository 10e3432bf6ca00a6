#include "engine/demo/DemoTasks.h"

#include "engine/EngineError.h"
#include "engine/SeededRandom.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <stdexcept>

namespace ckptlab::engine {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

struct TaskSplits {
    std::vector<Json> train, eval;
};

template <typename T>
void shuffle(std::vector<T>& items, uint64_t& random)
{
    for (size_t i = items.size(); i > 1; --i) // Fisher-Yates
        std::swap(items[i - 1], items[static_cast<size_t>(boundedRandom(random, i))]);
}

// Draws distinct items (by their text) from `make` until both splits are full; labels
// alternate so that both splits are balanced.
TaskSplits drawDistinct(int trainExamples, int evalExamples, uint64_t& random,
                        const std::function<Json(uint64_t&, bool)>& make)
{
    TaskSplits out;
    std::set<std::string> seen;
    const auto fill = [&](std::vector<Json>& split, int count) {
        for (int guard = 0; static_cast<int>(split.size()) < count; ++guard) {
            if (guard > 100000)
                throw std::invalid_argument("the demo world has too few distinct items for this many examples");
            Json item = make(random, split.size() % 2 == 0);
            if (seen.insert(item.dump()).second)
                split.push_back(std::move(item));
        }
    };
    fill(out.eval, evalExamples);
    fill(out.train, trainExamples);
    return out;
}

TaskSplits sentimentSplits(const DemoWorld& w, uint64_t& random, int trainExamples, int evalExamples)
{
    return drawDistinct(trainExamples, evalExamples, random, [&](uint64_t& r, bool positive) {
        return Json{{"text", demoReview(w, r, positive)}, {"label", positive ? "positive" : "negative"}};
    });
}

TaskSplits compareSplits(const DemoWorld& w, uint64_t& random, int trainExamples, int evalExamples)
{
    const auto n = static_cast<uint64_t>(w.largestNumber);
    return drawDistinct(trainExamples, evalExamples, random, [&](uint64_t& r, bool yes) {
        int a = 1 + static_cast<int>(boundedRandom(r, n));
        int b = 1 + static_cast<int>(boundedRandom(r, n - 1));
        if (b >= a)
            ++b;
        if ((a > b) != yes)
            std::swap(a, b);
        return Json{{"a", std::to_string(a)}, {"b", std::to_string(b)}, {"label", yes ? "yes" : "no"}};
    });
}

// Whole pairs go to one split, both directions together, so no eval word is trained on.
TaskSplits antonymSplits(const DemoWorld& w, uint64_t& random, int trainExamples, int evalExamples)
{
    std::vector<std::pair<std::string, std::string>> pairs = w.antonyms;
    shuffle(pairs, random);
    std::vector<Json> items;
    for (const auto& [a, b] : pairs) {
        // The full stop as in the corpus, where a sentence ends before end-of-text, so that
        // fine-tuning to stop there does not fight what pre-training taught.
        items.push_back(Json{{"word", a}, {"opposite", " " + b + "."}});
        items.push_back(Json{{"word", b}, {"opposite", " " + a + "."}});
    }
    const auto evalEnd = items.begin() + (evalExamples + 1) / 2 * 2; // a whole number of pairs
    TaskSplits out;
    out.eval.assign(items.begin(), items.begin() + evalExamples);
    out.train.assign(evalEnd, evalEnd + trainExamples);
    return out;
}

TaskSplits colourSplits(const DemoWorld& w, uint64_t& random, int trainExamples, int evalExamples)
{
    std::vector<DemoCreature> creatures = w.creatures;
    shuffle(creatures, random);
    std::vector<Json> items;
    for (const DemoCreature& c : creatures) {
        std::vector<std::string> choices = {c.colour};
        while (choices.size() < 4) {
            const std::string& other = w.colours[static_cast<size_t>(boundedRandom(random, w.colours.size()))];
            if (std::find(choices.begin(), choices.end(), other) == choices.end())
                choices.push_back(other);
        }
        shuffle(choices, random);
        const auto answer = std::find(choices.begin(), choices.end(), c.colour) - choices.begin();
        items.push_back(Json{{"name", c.name}, {"choices", choices}, {"answer", answer}});
    }
    TaskSplits out;
    out.eval.assign(items.begin(), items.begin() + evalExamples);
    out.train.assign(items.begin() + evalExamples, items.begin() + evalExamples + trainExamples);
    return out;
}

Json formats(const std::string& defaultFormat, const std::string& instruct, const std::string& inputOutput)
{
    return Json{{"default", defaultFormat}, {"instruct", instruct}, {"inputoutput", inputOutput}};
}

Json sentimentSpec()
{
    return Json{{"name", "sentiment"},
                {"kind", "classification"},
                {"description", "Demo study: is a one-sentence review positive or negative?"},
                {"metric", "accuracy"},
                {"fields", {"text"}},
                {"label_field", "label"},
                {"label_words", {" positive", " negative"}}, // as the corpus writes them after "was"
                {"label_map", {{"positive", " positive"}, {"negative", " negative"}}},
                {"formats", formats("review: {text}\nthe review was", "Is this review positive or negative?\n{text}\nAnswer:",
                                    "Input: {text}\nOutput:")}};
}

Json compareSpec()
{
    return Json{{"name", "compare"},
                {"kind", "classification"},
                {"description", "Demo study: is the first number (1 to 30) more than the second?"},
                {"metric", "accuracy"},
                {"fields", {"a", "b"}},
                {"label_field", "label"},
                {"label_words", {" yes", " no"}},
                {"label_map", {{"yes", " yes"}, {"no", " no"}}},
                {"formats", formats("question: is {a} more than {b}?\nanswer:",
                                    "Answer yes or no. Is the number {a} larger than {b}?\nAnswer:", "Input: {a} {b}\nOutput:")}};
}

Json antonymSpec()
{
    return Json{{"name", "antonyms"},
                {"kind", "generation"},
                {"description", "Demo study: the opposite of a word (greedy, exact match)."},
                {"metric", "exact_match"},
                {"fields", {"word", "opposite"}},
                {"target_field", "opposite"},
                {"generation", {{"max_new_tokens", 6}, {"stop_at_newline", true}}},
                {"formats", formats("the opposite of {word} is", "Write the opposite of the word.\nWord: {word}\nOpposite:",
                                    "Input: {word}\nOutput:")}};
}

Json colourSpec()
{
    return Json{{"name", "colours"},
                {"kind", "multiple_choice"},
                {"description", "Demo study: the colour of a made-up creature of the demo world, out of four."},
                {"metric", "accuracy"},
                {"fields", {"name", "choices", "answer"}},
                {"choices_field", "choices"},
                {"answer_field", "answer"},
                {"choice_prefix", " "},
                {"formats", formats("question: what colour is the {name}?\nanswer:",
                                    "Which colour does the {name} have?\nColour:", "Input: {name}\nOutput:")}};
}

void writeText(const fs::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush())
        throw EngineError(path.string(), "cannot write a demo task file");
}

std::string jsonLines(const std::vector<Json>& items)
{
    std::string text;
    for (const Json& item : items)
        text += item.dump() + '\n';
    return text;
}

} // namespace

int demoTaskCapacity(const DemoWorld& world)
{
    return static_cast<int>(std::min(2 * world.antonyms.size(), world.creatures.size()));
}

std::vector<std::string> writeDemoTasks(const DemoWorld& world, uint64_t seed, int trainExamples, int evalExamples,
                                        const std::string& directory)
{
    if (trainExamples < 1 || evalExamples < 1)
        throw std::invalid_argument("demo tasks need at least one train and one eval example");
    if ((evalExamples + 1) / 2 * 2 + trainExamples > demoTaskCapacity(world))
        throw std::invalid_argument("the demo world has " + std::to_string(demoTaskCapacity(world))
                                    + " items per task, too few for " + std::to_string(trainExamples) + " + "
                                    + std::to_string(evalExamples) + " examples");
    using SplitMaker = TaskSplits (*)(const DemoWorld&, uint64_t&, int, int);
    const std::pair<Json, SplitMaker> tasks[] = {{sentimentSpec(), sentimentSplits},
                                                  {antonymSpec(), antonymSplits},
                                                  {colourSpec(), colourSplits},
                                                  {compareSpec(), compareSplits}};
    std::vector<std::string> specPaths;
    uint64_t random = seed ^ 0x7A5C0DEull;
    for (const auto& [specTemplate, makeSplits] : tasks) {
        const TaskSplits splits = makeSplits(world, random, trainExamples, evalExamples);
        Json spec = specTemplate;
        const std::string name = spec["name"].get<std::string>();
        spec["train"] = name + "_train.jsonl";
        spec["eval"] = name + "_eval.jsonl";
        spec["default_format"] = "default";
        const fs::path dir(directory);
        writeText(dir / (name + "_train.jsonl"), jsonLines(splits.train));
        writeText(dir / (name + "_eval.jsonl"), jsonLines(splits.eval));
        writeText(dir / (name + ".json"), spec.dump(2) + '\n');
        specPaths.push_back(fs::absolute(dir / (name + ".json")).lexically_normal().string());
    }
    return specPaths;
}

} // namespace ckptlab::engine
