#include "engine/eval/TaskSpec.h"

#include "engine/EngineError.h"
#include "engine/eval/PromptTemplate.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace ckptlab::engine {

namespace fs = std::filesystem;
using nlohmann::json;

const char* taskKindName(TaskKind kind)
{
    switch (kind) {
    case TaskKind::Classification: return "classification";
    case TaskKind::MultipleChoice: return "multiple_choice";
    case TaskKind::Generation: return "generation";
    }
    return "?";
}

const char* taskMetricName(TaskMetric metric)
{
    switch (metric) {
    case TaskMetric::Accuracy: return "accuracy";
    case TaskMetric::RougeL: return "rouge_l";
    case TaskMetric::ExactMatch: return "exact_match";
    case TaskMetric::TokenF1: return "f1";
    }
    return "?";
}

std::vector<std::string> TaskSpec::formatNames() const
{
    std::vector<std::string> names;
    for (const auto& [name, text] : formats)
        names.push_back(name);
    return names;
}

const std::string& TaskSpec::formatTemplate(const std::string& format) const
{
    const std::string& wanted = format.empty() ? defaultFormat : format;
    const auto it = formats.find(wanted);
    if (it == formats.end()) {
        std::string known;
        for (const auto& [name, text] : formats)
            known += (known.empty() ? "" : ", ") + name;
        throw EngineError(sourcePath, "task \"" + name + "\" has no prompt format \"" + wanted + "\" (it has: " + known + ")");
    }
    return it->second;
}

namespace {

class SpecReader {
public:
    SpecReader(const json& root, std::string source)
        : m_root(root)
        , m_source(std::move(source))
    {
    }

    [[noreturn]] void fail(const std::string& key, const std::string& why) const
    {
        throw EngineError(m_source, key.empty() ? why : "\"" + key + "\": " + why);
    }

    bool has(const char* key) const { return m_root.contains(key); }

    std::string text(const char* key, bool required = false, std::string fallback = {}) const
    {
        if (!m_root.contains(key)) {
            if (required)
                fail(key, "is required");
            return fallback;
        }
        if (!m_root[key].is_string())
            fail(key, "must be a string");
        return m_root[key].get<std::string>();
    }

    std::vector<std::string> texts(const char* key) const
    {
        std::vector<std::string> out;
        if (!m_root.contains(key))
            return out;
        if (!m_root[key].is_array())
            fail(key, "must be a list of strings");
        for (const json& v : m_root[key]) {
            if (!v.is_string())
                fail(key, "must be a list of strings");
            out.push_back(v.get<std::string>());
        }
        return out;
    }

    std::map<std::string, std::string> textMap(const char* key) const
    {
        std::map<std::string, std::string> out;
        if (!m_root.contains(key))
            return out;
        if (!m_root[key].is_object())
            fail(key, "must be an object of strings");
        for (const auto& [k, v] : m_root[key].items()) {
            if (!v.is_string())
                fail(key, "value of \"" + k + "\" must be a string");
            out[k] = v.get<std::string>();
        }
        return out;
    }

    const json& root() const { return m_root; }

private:
    const json& m_root;
    std::string m_source;
};

const std::set<std::string> kKnownKeys = {
    "name", "kind", "description", "metric", "fields", "train", "eval", "formats", "default_format",
    "fewshot_separator", "label_field", "label_words", "label_map", "label_threshold", "choices_field",
    "choices_fields", "choices", "answer_field", "answer_keys_field", "answer_index", "choice_prefix",
    "target_field", "generation"};

std::string resolveDataPath(const std::string& path, const std::string& baseDir)
{
    if (path.empty() || baseDir.empty() || fs::path(path).is_absolute())
        return path;
    return (fs::path(baseDir) / path).lexically_normal().string();
}

void checkPath(const SpecReader& r, const std::string& key, const std::string& path)
{
    try {
        resolveFieldPath(json::object(), path);
    } catch (const std::invalid_argument& e) {
        r.fail(key, e.what());
    }
}

void readKindSpecific(const SpecReader& r, TaskSpec& spec)
{
    const json& root = r.root();
    if (spec.kind == TaskKind::Classification) {
        spec.labelField = r.text("label_field", false, "label");
        spec.labelWords = r.texts("label_words");
        if (spec.labelWords.size() < 2)
            r.fail("label_words", "a classification task needs at least two label words");
        if (std::set<std::string>(spec.labelWords.begin(), spec.labelWords.end()).size() != spec.labelWords.size())
            r.fail("label_words", "the label words must differ");
        for (const std::string& w : spec.labelWords) {
            if (w.empty())
                r.fail("label_words", "a label word is empty");
        }
        spec.labelMap = r.textMap("label_map");
        for (const auto& [raw, word] : spec.labelMap) {
            if (std::find(spec.labelWords.begin(), spec.labelWords.end(), word) == spec.labelWords.end())
                r.fail("label_map", "\"" + raw + "\" maps to \"" + word + "\", which is not a label word");
        }
        if (root.contains("label_threshold")) {
            const json& t = root["label_threshold"];
            if (!t.is_object() || !t.contains("value") || !t["value"].is_number() || !t.contains("above")
                || !t["above"].is_string() || !t.contains("otherwise") || !t["otherwise"].is_string())
                r.fail("label_threshold", "must be {\"value\": number, \"above\": word, \"otherwise\": word}");
            spec.labelThreshold = LabelThreshold{t["value"].get<double>(), t["above"].get<std::string>(),
                                                 t["otherwise"].get<std::string>()};
            for (const std::string& w : {spec.labelThreshold->above, spec.labelThreshold->otherwise}) {
                if (std::find(spec.labelWords.begin(), spec.labelWords.end(), w) == spec.labelWords.end())
                    r.fail("label_threshold", "\"" + w + "\" is not a label word");
            }
        }
        checkPath(r, "label_field", spec.labelField);
    } else if (spec.kind == TaskKind::MultipleChoice) {
        spec.choicesField = r.text("choices_field");
        spec.choicesFields = r.texts("choices_fields");
        spec.fixedChoices = r.texts("choices");
        const int sources = int(!spec.choicesField.empty()) + int(!spec.choicesFields.empty())
                            + int(!spec.fixedChoices.empty());
        if (sources != 1)
            r.fail("", "a multiple-choice task needs exactly one of \"choices_field\", \"choices_fields\", \"choices\"");
        if (!spec.choicesField.empty())
            checkPath(r, "choices_field", spec.choicesField);
        for (const std::string& f : spec.choicesFields)
            checkPath(r, "choices_fields", f);
        spec.answerField = r.text("answer_field");
        spec.answerKeysField = r.text("answer_keys_field");
        if (root.contains("answer_index")) {
            if (!root["answer_index"].is_number_integer() || root["answer_index"].get<int64_t>() < 0)
                r.fail("answer_index", "must be a non-negative integer");
            spec.answerIndex = root["answer_index"].get<int64_t>();
        }
        if (spec.answerField.empty() == !spec.answerIndex.has_value())
            r.fail("", "a multiple-choice task needs exactly one of \"answer_field\", \"answer_index\"");
        if (!spec.answerField.empty())
            checkPath(r, "answer_field", spec.answerField);
        if (!spec.answerKeysField.empty())
            checkPath(r, "answer_keys_field", spec.answerKeysField);
        spec.choicePrefix = r.text("choice_prefix", false, " ");
    } else {
        spec.targetField = r.text("target_field", true);
        checkPath(r, "target_field", spec.targetField);
    }
    if (root.contains("generation")) {
        const json& g = root["generation"];
        if (!g.is_object())
            r.fail("generation", "must be an object");
        for (const auto& [k, v] : g.items()) {
            if (k == "max_new_tokens" && v.is_number_integer() && v.get<int64_t>() > 0 && v.get<int64_t>() <= 100000)
                spec.generation.maxNewTokens = v.get<int>();
            else if (k == "stop_at_newline" && v.is_boolean())
                spec.generation.stopAtNewline = v.get<bool>();
            else if (k == "stop" && v.is_array() && std::all_of(v.begin(), v.end(), [](const json& s) {
                         return s.is_string() && !s.get<std::string>().empty();
                     }))
                spec.generation.stopStrings = v.get<std::vector<std::string>>();
            else
                r.fail("generation", "\"" + k + "\" is unknown or has the wrong type");
        }
    }
}

} // namespace

TaskSpec parseTaskSpecText(const std::string& jsonText, const std::string& sourceName, const std::string& baseDir)
{
    json root;
    try {
        root = json::parse(jsonText);
    } catch (const json::parse_error& e) {
        throw EngineError(sourceName, std::string("not valid JSON: ") + e.what());
    }
    if (!root.is_object())
        throw EngineError(sourceName, "a task spec must be a JSON object");
    const SpecReader r(root, sourceName);
    for (const auto& [key, value] : root.items()) {
        if (!kKnownKeys.count(key))
            r.fail(key, "unknown key");
    }

    TaskSpec spec;
    spec.sourcePath = sourceName;
    spec.name = r.text("name", true);
    if (spec.name.empty())
        r.fail("name", "must not be empty");
    spec.description = r.text("description");
    const std::string kind = r.text("kind", true);
    if (kind == "classification")
        spec.kind = TaskKind::Classification;
    else if (kind == "multiple_choice")
        spec.kind = TaskKind::MultipleChoice;
    else if (kind == "generation")
        spec.kind = TaskKind::Generation;
    else
        r.fail("kind", "\"" + kind + "\" is not classification, multiple_choice or generation");

    const std::string metric = r.text("metric", false, spec.kind == TaskKind::Generation ? "rouge_l" : "accuracy");
    if (metric == "accuracy" && spec.kind != TaskKind::Generation)
        spec.metric = TaskMetric::Accuracy;
    else if (metric == "rouge_l" && spec.kind == TaskKind::Generation)
        spec.metric = TaskMetric::RougeL;
    else if (metric == "exact_match" && spec.kind == TaskKind::Generation)
        spec.metric = TaskMetric::ExactMatch;
    else if (metric == "f1" && spec.kind == TaskKind::Generation)
        spec.metric = TaskMetric::TokenF1;
    else
        r.fail("metric", "\"" + metric + "\" does not fit a " + kind
                             + " task (accuracy for classification and multiple_choice; rouge_l, exact_match or f1 for generation)");

    spec.fields = r.texts("fields");
    for (const std::string& f : spec.fields)
        checkPath(r, "fields", f);
    spec.trainFile = resolveDataPath(r.text("train"), baseDir);
    spec.evalFile = resolveDataPath(r.text("eval"), baseDir);
    spec.fewShotSeparator = r.text("fewshot_separator", false, "\n");

    spec.formats = r.textMap("formats");
    if (spec.formats.empty())
        r.fail("formats", "at least one prompt format is required");
    std::set<std::string> roots;
    for (const std::string& f : spec.fields)
        roots.insert(fieldPathRoot(f));
    for (const auto& [name, text] : spec.formats) {
        if (name.empty())
            r.fail("formats", "a format name is empty");
        try {
            for (const std::string& p : PromptTemplate(text).placeholders()) {
                if (!roots.count(fieldPathRoot(p)))
                    r.fail("formats", "format \"" + name + "\" uses {" + p + "}, which is not in \"fields\"");
            }
        } catch (const std::invalid_argument& e) {
            r.fail("formats", "format \"" + name + "\": " + e.what());
        }
    }
    spec.defaultFormat = r.text("default_format", false,
                                spec.formats.size() == 1 ? spec.formats.begin()->first : std::string("default"));
    if (!spec.formats.count(spec.defaultFormat))
        r.fail("default_format", "\"" + spec.defaultFormat + "\" is not one of the formats");

    readKindSpecific(r, spec);
    return spec;
}

TaskSpec parseTaskSpec(const std::string& specPath)
{
    std::ifstream in(specPath, std::ios::binary);
    if (!in)
        throw EngineError(specPath, "cannot open the task spec");
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string dir = fs::path(specPath).parent_path().string();
    return parseTaskSpecText(buffer.str(), specPath, dir.empty() ? std::string(".") : dir);
}

} // namespace ckptlab::engine
