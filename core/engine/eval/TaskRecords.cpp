#include "engine/eval/TaskRecords.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace ckptlab::engine {

using nlohmann::json;

namespace {

bool isBlank(const std::string& s)
{
    return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
}

std::string shortened(const std::string& s)
{
    return s.size() <= 60 ? s : s.substr(0, 57) + "...";
}

void requireRecords(const std::vector<TaskRecord>& records, const std::string& sourceName)
{
    if (records.empty())
        throw TaskDataError(sourceName, 0, "the file holds no records");
}

struct CsvRow {
    int64_t line = 0;
    std::vector<std::string> cells;
};

// Splits CSV text into rows; a row's line is where it starts.
std::vector<CsvRow> splitCsv(const std::string& text, const std::string& sourceName)
{
    std::vector<CsvRow> rows;
    CsvRow row;
    std::string cell;
    bool inQuotes = false, cellStarted = false, afterQuote = false;
    int64_t line = 1, quoteLine = 0;
    row.line = 1;
    size_t i = 0;
    if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) // UTF-8 byte-order mark
        i = 3;
    const auto endRow = [&]() {
        row.cells.push_back(cell);
        cell.clear();
        cellStarted = afterQuote = false;
        const bool empty = row.cells.size() == 1 && row.cells[0].empty();
        if (!empty)
            rows.push_back(row);
        row = CsvRow();
        row.line = line;
    };
    for (; i < text.size(); ++i) {
        const char c = text[i];
        if (inQuotes) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    cell += '"';
                    ++i;
                } else {
                    inQuotes = false;
                    afterQuote = true;
                }
            } else {
                if (c == '\n')
                    ++line;
                cell += c;
            }
            continue;
        }
        if (c == '"' && !cellStarted) {
            inQuotes = cellStarted = true;
            quoteLine = line;
        } else if (c == ',') {
            row.cells.push_back(cell);
            cell.clear();
            cellStarted = afterQuote = false;
        } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            // the \n ends the row
        } else if (c == '\n') {
            ++line;
            endRow();
        } else {
            if (afterQuote)
                throw TaskDataError(sourceName, line, "text after a closing quote in a CSV cell");
            if (c == '"')
                throw TaskDataError(sourceName, line, "a quote inside an unquoted CSV cell");
            cell += c;
            cellStarted = true;
        }
    }
    if (inQuotes)
        throw TaskDataError(sourceName, quoteLine, "a quoted CSV cell is never closed");
    if (cellStarted || !row.cells.empty())
        endRow();
    return rows;
}

} // namespace

std::vector<TaskRecord> readJsonlRecords(const std::string& text, const std::string& sourceName)
{
    std::vector<TaskRecord> records;
    std::istringstream in(text);
    std::string lineText;
    int64_t line = 0;
    while (std::getline(in, lineText)) {
        ++line;
        if (line == 1 && lineText.compare(0, 3, "\xEF\xBB\xBF") == 0)
            lineText.erase(0, 3);
        if (isBlank(lineText))
            continue;
        json value;
        try {
            value = json::parse(lineText);
        } catch (const json::parse_error& e) {
            throw TaskDataError(sourceName, line, std::string("malformed JSON: ") + e.what());
        }
        if (!value.is_object())
            throw TaskDataError(sourceName, line, "expected a JSON object, found " + shortened(value.dump()));
        records.push_back({line, std::move(value)});
    }
    requireRecords(records, sourceName);
    return records;
}

std::vector<TaskRecord> readCsvRecords(const std::string& text, const std::string& sourceName)
{
    const std::vector<CsvRow> rows = splitCsv(text, sourceName);
    if (rows.empty())
        throw TaskDataError(sourceName, 0, "the file holds no records");
    const CsvRow& header = rows.front();
    for (size_t c = 0; c < header.cells.size(); ++c) {
        if (header.cells[c].empty())
            throw TaskDataError(sourceName, header.line, "column " + std::to_string(c + 1) + " of the header has no name");
        for (size_t d = 0; d < c; ++d) {
            if (header.cells[d] == header.cells[c])
                throw TaskDataError(sourceName, header.line, "the header names \"" + header.cells[c] + "\" twice");
        }
    }
    std::vector<TaskRecord> records;
    for (size_t r = 1; r < rows.size(); ++r) {
        const CsvRow& row = rows[r];
        if (row.cells.size() != header.cells.size())
            throw TaskDataError(sourceName, row.line,
                                "the row has " + std::to_string(row.cells.size()) + " cells, the header "
                                    + std::to_string(header.cells.size()));
        json object = json::object();
        for (size_t c = 0; c < row.cells.size(); ++c) {
            const std::string& cell = row.cells[c];
            json value = cell;
            if (!cell.empty() && cell.front() == '[' && cell.back() == ']') {
                try {
                    value = json::parse(cell);
                } catch (const json::parse_error&) {
                    value = cell; // plain text that happens to look like a list
                }
            }
            object[header.cells[c]] = std::move(value);
        }
        records.push_back({row.line, std::move(object)});
    }
    requireRecords(records, sourceName);
    return records;
}

std::vector<TaskRecord> readTaskRecords(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw TaskDataError(path, 0, "cannot open the data file");
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string lower = path;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    const bool csv = lower.size() >= 4 && lower.compare(lower.size() - 4, 4, ".csv") == 0;
    return csv ? readCsvRecords(buffer.str(), path) : readJsonlRecords(buffer.str(), path);
}

} // namespace ckptlab::engine
