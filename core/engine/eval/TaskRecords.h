#pragma once

// Reading task data files into records (JSON objects) that remember their line, and the error
// that names the file and line of bad data. JSONL: one object per line, blank lines skipped.
// CSV (RFC 4180: a header row, "quoted" cells with "" for a quote, newlines inside quotes):
// every cell is a string, except that a cell holding a JSON list ("[...]") becomes that list,
// so choices can live in one column. The format follows the extension (.csv, else JSONL).

#include "engine/EngineError.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ckptlab::engine {

// Bad data: the file, the 1-based line (0 when the whole file is at fault, e.g. empty) and
// what is wrong. what() reads "FILE:LINE: detail" ("FILE: detail" for line 0).
class TaskDataError : public EngineError {
public:
    TaskDataError(const std::string& file, int64_t line, const std::string& problem)
        : EngineError(file, line > 0 ? "line " + std::to_string(line) + ": " + problem : problem)
        , m_line(line)
        , m_problem(problem)
    {
    }
    int64_t line() const { return m_line; }
    const std::string& problem() const { return m_problem; }

private:
    int64_t m_line;
    std::string m_problem;
};

struct TaskRecord {
    int64_t line = 0; // 1-based line where the record starts
    nlohmann::json fields; // an object
};

// Throws TaskDataError for a file that cannot be read, a malformed line or row, a line that is
// not an object, or a file without records.
std::vector<TaskRecord> readTaskRecords(const std::string& path);

std::vector<TaskRecord> readJsonlRecords(const std::string& text, const std::string& sourceName);
std::vector<TaskRecord> readCsvRecords(const std::string& text, const std::string& sourceName);

} // namespace ckptlab::engine
