#pragma once

// Prompt templates: text with {field} placeholders filled from one record (a JSON object).
// A placeholder names a field path: `premise`, `choices.text`, `Answer[0]`, `a.b[2].c`.
// `{{` and `}}` stand for literal braces. Values render as text: strings as they are, integers
// in decimal, other numbers as JSON writes them, booleans as true/false; null, arrays and
// objects cannot be rendered.

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace ckptlab::engine {

class PromptTemplate {
public:
    // Throws std::invalid_argument describing the fault (unclosed or empty placeholder, a
    // lone brace, a malformed path).
    explicit PromptTemplate(std::string text);

    const std::string& text() const { return m_text; }
    // Field paths of the placeholders, in order of appearance (repeats included).
    std::vector<std::string> placeholders() const;

    // Throws std::invalid_argument naming the placeholder that is missing or not text.
    std::string render(const nlohmann::json& record) const;

private:
    struct Piece {
        bool isField = false;
        std::string value; // literal text or field path
    };
    std::string m_text;
    std::vector<Piece> m_pieces;
};

// The value at `path` inside `record`, or nullptr when any step is missing. Throws
// std::invalid_argument for a malformed path.
const nlohmann::json* resolveFieldPath(const nlohmann::json& record, const std::string& path);

// The first name of a path: `choices` for `choices.text[0]`.
std::string fieldPathRoot(const std::string& path);

// A scalar value as prompt text; throws std::invalid_argument for null, arrays and objects.
std::string fieldValueText(const nlohmann::json& value);

} // namespace ckptlab::engine
