#pragma once

// An evaluation (or fine-tuning) task: a small JSON spec naming the data files, the fields a
// record must have, what the answer is (label words, choices or a target text), the metric,
// and named prompt formats (templates with {field} placeholders). Standard library only.
//
// Spec JSON (keys not listed are an error, so a typo never passes silently):
//   name            string, required
//   kind            "classification" | "multiple_choice" | "generation", required
//   description     string
//   metric          "accuracy" (classification, multiple_choice) | "rouge_l" | "exact_match" | "f1"
//                   (generation); defaults to accuracy / rouge_l
//   fields          [path, ...]: what every record must hold (non-null); templates may use only
//                   these (a path is `name`, `name.sub`, `name[0]`, ...)
//   train, eval     data files (.jsonl or .csv), relative to the spec file; either may be absent
//                   (built-in specs carry templates only; the caller sets the files)
//   formats         {"default": "...{field}...", "instruct": ..., ...}; `{{` and `}}` are braces
//   default_format  name of the format used when a request names none (default "default", or
//                   the only one)
//   fewshot_separator  what follows each demonstration's answer (default "\n", as in the study)
// classification:
//   label_field     path of the gold label (default "label")
//   label_words     ["entailment", "neutral", ...]: the words scored and written as answers
//   label_map       {"0": "entailment", ...}: raw label value (as text) -> label word
//   label_threshold {"value": 3.5, "above": "yes", "otherwise": "no"}: numeric label -> word
// multiple_choice (one of choices_field, choices_fields, choices):
//   choices_field   path of an array of choice texts in each record
//   choices_fields  [path, ...]: one field per choice
//   choices         [text, ...]: the same choices for every record
//   answer_field    path of the gold answer: an index (0-based, number or digits), a key from
//                   answer_keys_field, or the text of a choice
//   answer_keys_field  path of an array of keys parallel to the choices ("A", "B", ...)
//   answer_index    a fixed gold index instead of answer_field
//   choice_prefix   put before every choice text to form its continuation (default " ")
// generation:
//   target_field    path of the reference text
//   generation      {"max_new_tokens": 60, "stop_at_newline": false, "stop": ["..."]}

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ckptlab::engine {

enum class TaskKind { Classification, MultipleChoice, Generation };
enum class TaskMetric { Accuracy, RougeL, ExactMatch, TokenF1 };

const char* taskKindName(TaskKind kind);       // "classification", "multiple_choice", "generation"
const char* taskMetricName(TaskMetric metric); // "accuracy", "rouge_l", "exact_match", "f1"

struct LabelThreshold {
    double value = 0.0;
    std::string above;     // label word when the label is > value
    std::string otherwise; // label word otherwise
};

struct GenerationDefaults {
    int maxNewTokens = 60;
    bool stopAtNewline = false;
    std::vector<std::string> stopStrings;
};

struct TaskSpec {
    std::string sourcePath; // the spec file (or a name for specs from text), for messages
    std::string name;
    std::string description;
    TaskKind kind = TaskKind::Classification;
    TaskMetric metric = TaskMetric::Accuracy;
    std::vector<std::string> fields;
    std::string trainFile; // absolute or as given when the spec has no directory; empty = none
    std::string evalFile;
    std::map<std::string, std::string> formats; // name -> template
    std::string defaultFormat;
    std::string fewShotSeparator = "\n";

    // classification
    std::string labelField = "label";
    std::vector<std::string> labelWords;
    std::map<std::string, std::string> labelMap;
    std::optional<LabelThreshold> labelThreshold;

    // multiple choice
    std::string choicesField;
    std::vector<std::string> choicesFields;
    std::vector<std::string> fixedChoices;
    std::string answerField;
    std::string answerKeysField;
    std::optional<int64_t> answerIndex;
    std::string choicePrefix = " ";

    // generation
    std::string targetField;
    GenerationDefaults generation;

    std::vector<std::string> formatNames() const;
    // The template of `format` (empty name = the default format). Throws EngineError naming the
    // spec and the formats it has.
    const std::string& formatTemplate(const std::string& format) const;
};

// Reads and validates a spec file; data paths become relative to its folder. Throws EngineError
// naming the file and the key at fault.
TaskSpec parseTaskSpec(const std::string& specPath);

// The same from JSON text (e.g. a built-in spec from resources). sourceName is used in messages;
// relative data paths are resolved against baseDir when it is not empty.
TaskSpec parseTaskSpecText(const std::string& jsonText, const std::string& sourceName,
                           const std::string& baseDir = {});

} // namespace ckptlab::engine
