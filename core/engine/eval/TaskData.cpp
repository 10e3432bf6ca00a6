#include "engine/eval/TaskData.h"

#include "engine/eval/PromptTemplate.h"

#include <algorithm>
#include <cmath>

namespace ckptlab::engine {

using nlohmann::json;

std::string TaskExample::answerText(const TaskSpec& spec) const
{
    switch (spec.kind) {
    case TaskKind::Classification:
        return spec.labelWords.at(static_cast<size_t>(labelIndex));
    case TaskKind::MultipleChoice:
        return spec.choicePrefix + choices.at(static_cast<size_t>(answerIndex));
    case TaskKind::Generation:
        return target;
    }
    return {};
}

namespace {

struct Checker {
    const TaskSpec& spec;
    const std::string& file;
    int64_t line = 0;

    [[noreturn]] void fail(const std::string& why) const { throw TaskDataError(file, line, why); }

    const json& field(const json& record, const std::string& path) const
    {
        const json* value = resolveFieldPath(record, path);
        if (!value)
            fail("missing field \"" + path + "\"");
        if (value->is_null())
            fail("field \"" + path + "\" is null");
        return *value;
    }

    std::string text(const json& record, const std::string& path) const
    {
        try {
            return fieldValueText(field(record, path));
        } catch (const std::invalid_argument& e) {
            fail("field \"" + path + "\" " + e.what());
        }
    }

    int64_t label(const json& record) const
    {
        const json& raw = field(record, spec.labelField);
        std::string word;
        if (spec.labelThreshold) {
            double number = 0;
            if (raw.is_number())
                number = raw.get<double>();
            else {
                const std::string s = text(record, spec.labelField);
                char* end = nullptr;
                number = std::strtod(s.c_str(), &end);
                if (s.empty() || *end != '\0' || !std::isfinite(number))
                    fail("label \"" + s + "\" is not a number (the spec compares it with "
                         + std::to_string(spec.labelThreshold->value) + ")");
            }
            word = number > spec.labelThreshold->value ? spec.labelThreshold->above : spec.labelThreshold->otherwise;
        } else {
            word = text(record, spec.labelField);
            if (!spec.labelMap.empty()) {
                const auto it = spec.labelMap.find(word);
                if (it != spec.labelMap.end())
                    word = it->second;
            }
        }
        const auto it = std::find(spec.labelWords.begin(), spec.labelWords.end(), word);
        if (it == spec.labelWords.end()) {
            std::string known;
            for (const std::string& w : spec.labelWords)
                known += (known.empty() ? "" : ", ") + w;
            for (const auto& [raw, mapped] : spec.labelMap)
                known += ", " + raw;
            fail("label \"" + word + "\" is not among the label words (" + known + ")");
        }
        return it - spec.labelWords.begin();
    }

    std::vector<std::string> choices(const json& record) const
    {
        std::vector<std::string> out;
        if (!spec.fixedChoices.empty())
            return spec.fixedChoices;
        if (!spec.choicesFields.empty()) {
            for (const std::string& f : spec.choicesFields)
                out.push_back(text(record, f));
        } else {
            const json& list = field(record, spec.choicesField);
            if (!list.is_array())
                fail("field \"" + spec.choicesField + "\" is not a list of choices");
            for (size_t i = 0; i < list.size(); ++i) {
                try {
                    out.push_back(fieldValueText(list[i]));
                } catch (const std::invalid_argument& e) {
                    fail("choice " + std::to_string(i) + " of \"" + spec.choicesField + "\" " + e.what());
                }
            }
        }
        if (out.size() < 2)
            fail("a multiple-choice item needs at least two choices, it has " + std::to_string(out.size()));
        return out;
    }

    int64_t answer(const json& record, const std::vector<std::string>& choiceTexts) const
    {
        const auto n = static_cast<int64_t>(choiceTexts.size());
        if (spec.answerIndex) {
            if (*spec.answerIndex >= n)
                fail("answer_index " + std::to_string(*spec.answerIndex) + " is beyond the "
                     + std::to_string(n) + " choices");
            return *spec.answerIndex;
        }
        const json& raw = field(record, spec.answerField);
        const std::string value = text(record, spec.answerField);
        if (!spec.answerKeysField.empty()) {
            const json& keys = field(record, spec.answerKeysField);
            if (!keys.is_array() || static_cast<int64_t>(keys.size()) != n)
                fail("field \"" + spec.answerKeysField + "\" must list one key per choice");
            for (size_t i = 0; i < keys.size(); ++i) {
                if (keys[i].is_string() ? keys[i].get<std::string>() == value : keys[i] == raw)
                    return static_cast<int64_t>(i);
            }
            fail("answer \"" + value + "\" is not among the keys in \"" + spec.answerKeysField + "\"");
        }
        const bool digits = !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
            return c >= '0' && c <= '9';
        });
        if (raw.is_number_integer() || raw.is_number_unsigned() || (raw.is_string() && digits && value.size() < 10)) {
            const int64_t index = std::stoll(value);
            if (index < 0 || index >= n)
                fail("answer index " + value + " is beyond the " + std::to_string(n) + " choices");
            return index;
        }
        const auto it = std::find(choiceTexts.begin(), choiceTexts.end(), value);
        if (it == choiceTexts.end())
            fail("answer \"" + value + "\" is not one of the choices");
        return it - choiceTexts.begin();
    }
};

} // namespace

std::vector<TaskExample> checkTaskRecords(const TaskSpec& spec, const std::vector<TaskRecord>& records,
                                          const std::string& file)
{
    if (records.empty())
        throw TaskDataError(file, 0, "the file holds no records");
    std::vector<std::pair<std::string, PromptTemplate>> formats;
    for (const auto& [name, text] : spec.formats)
        formats.emplace_back(name, PromptTemplate(text));

    std::vector<TaskExample> out;
    out.reserve(records.size());
    Checker check{spec, file};
    for (const TaskRecord& record : records) {
        check.line = record.line;
        for (const std::string& f : spec.fields)
            check.field(record.fields, f);
        for (const auto& [name, format] : formats) {
            try {
                format.render(record.fields);
            } catch (const std::invalid_argument& e) {
                check.fail(std::string("prompt format \"") + name + "\": " + e.what());
            }
        }
        TaskExample example;
        example.line = record.line;
        example.fields = record.fields;
        switch (spec.kind) {
        case TaskKind::Classification:
            example.labelIndex = check.label(record.fields);
            break;
        case TaskKind::MultipleChoice:
            example.choices = check.choices(record.fields);
            example.answerIndex = check.answer(record.fields, example.choices);
            break;
        case TaskKind::Generation:
            example.target = check.text(record.fields, spec.targetField);
            break;
        }
        out.push_back(std::move(example));
    }
    return out;
}

LoadedTask loadTask(const TaskSpec& spec, bool withTrain)
{
    if (spec.evalFile.empty())
        throw EngineError(spec.sourcePath, "task \"" + spec.name + "\" has no evaluation data file (\"eval\")");
    if (withTrain && spec.trainFile.empty())
        throw EngineError(spec.sourcePath, "task \"" + spec.name + "\" has no training data file (\"train\")");
    LoadedTask task;
    task.spec = spec;
    task.eval = checkTaskRecords(spec, readTaskRecords(spec.evalFile), spec.evalFile);
    if (withTrain)
        task.train = checkTaskRecords(spec, readTaskRecords(spec.trainFile), spec.trainFile);
    return task;
}

} // namespace ckptlab::engine
