#pragma once

// A task's data read and checked against its spec, all of it before anything is evaluated:
// every record has the spec's fields, renders in every prompt format, and has a gold answer
// (a label among the label words, a choice that exists, a target text). The first fault is
// thrown as a TaskDataError naming the file and line.

#include "engine/eval/TaskRecords.h"
#include "engine/eval/TaskSpec.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ckptlab::engine {

struct TaskExample {
    int64_t line = 0;         // in its file
    nlohmann::json fields;    // the record
    // Gold answer, by kind:
    int64_t labelIndex = -1;          // classification: index into spec.labelWords
    std::vector<std::string> choices; // multiple choice: the choice texts (without prefix)
    int64_t answerIndex = -1;         // multiple choice: the correct choice
    std::string target;               // generation: the reference text

    // What a demonstration writes after its prompt: the label word, the correct choice
    // (with the spec's choice prefix) or the target.
    std::string answerText(const TaskSpec& spec) const;
};

struct LoadedTask {
    TaskSpec spec;
    std::vector<TaskExample> eval;
    std::vector<TaskExample> train; // empty unless loaded
};

// Validates `records` (read from `file`) against the spec. Throws TaskDataError.
std::vector<TaskExample> checkTaskRecords(const TaskSpec& spec, const std::vector<TaskRecord>& records,
                                          const std::string& file);

// Reads and checks spec.evalFile, and spec.trainFile when withTrain. Throws EngineError when a
// needed file is not set, TaskDataError for bad data.
LoadedTask loadTask(const TaskSpec& spec, bool withTrain = false);

} // namespace ckptlab::engine
