#include "engine/eval/PromptTemplate.h"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace ckptlab::engine {

namespace {

struct PathStep {
    bool isIndex = false;
    std::string name;
    size_t index = 0;
};

bool isNameChar(char c)
{
    return c != '.' && c != '[' && c != ']' && c != '{' && c != '}';
}

std::vector<PathStep> parsePath(const std::string& path)
{
    const auto bad = [&](const std::string& why) -> std::invalid_argument {
        return std::invalid_argument("field path \"" + path + "\": " + why);
    };
    std::vector<PathStep> steps;
    size_t i = 0;
    bool expectName = true;
    while (i < path.size()) {
        if (path[i] == '[') {
            const size_t close = path.find(']', i);
            if (close == std::string::npos || close == i + 1)
                throw bad("an index must be digits in [ ]");
            PathStep step;
            step.isIndex = true;
            for (size_t j = i + 1; j < close; ++j) {
                if (path[j] < '0' || path[j] > '9' || close - i > 10)
                    throw bad("an index must be digits in [ ]");
                step.index = step.index * 10 + static_cast<size_t>(path[j] - '0');
            }
            if (steps.empty())
                throw bad("it must start with a name");
            steps.push_back(step);
            i = close + 1;
            expectName = false;
            continue;
        }
        if (path[i] == '.') {
            if (steps.empty() || expectName)
                throw bad("empty name");
            ++i;
            expectName = true;
            continue;
        }
        if (!expectName)
            throw bad("expected '.' or '[' after an index");
        size_t end = i;
        while (end < path.size() && isNameChar(path[end]))
            ++end;
        if (end == i)
            throw bad("unexpected '" + std::string(1, path[i]) + "'");
        PathStep step;
        step.name = path.substr(i, end - i);
        steps.push_back(step);
        i = end;
        expectName = false;
    }
    if (steps.empty() || expectName)
        throw bad("empty name");
    return steps;
}

} // namespace

const nlohmann::json* resolveFieldPath(const nlohmann::json& record, const std::string& path)
{
    const nlohmann::json* at = &record;
    for (const PathStep& step : parsePath(path)) {
        if (step.isIndex) {
            if (!at->is_array() || step.index >= at->size())
                return nullptr;
            at = &(*at)[step.index];
        } else {
            if (!at->is_object())
                return nullptr;
            const auto it = at->find(step.name);
            if (it == at->end())
                return nullptr;
            at = &*it;
        }
    }
    return at;
}

std::string fieldPathRoot(const std::string& path)
{
    return parsePath(path).front().name;
}

std::string fieldValueText(const nlohmann::json& value)
{
    if (value.is_string())
        return value.get<std::string>();
    if (value.is_boolean())
        return value.get<bool>() ? "true" : "false";
    if (value.is_number_integer() || value.is_number_unsigned() || value.is_number_float())
        return value.dump();
    if (value.is_null())
        throw std::invalid_argument("is null");
    throw std::invalid_argument(value.is_array() ? "is a list, not text" : "is an object, not text");
}

PromptTemplate::PromptTemplate(std::string text)
    : m_text(std::move(text))
{
    std::string literal;
    for (size_t i = 0; i < m_text.size(); ++i) {
        const char c = m_text[i];
        if (c == '{' && i + 1 < m_text.size() && m_text[i + 1] == '{') {
            literal += '{';
            ++i;
        } else if (c == '}' && i + 1 < m_text.size() && m_text[i + 1] == '}') {
            literal += '}';
            ++i;
        } else if (c == '}') {
            throw std::invalid_argument("a lone '}' at offset " + std::to_string(i) + " (write }} for a brace)");
        } else if (c == '{') {
            const size_t close = m_text.find('}', i + 1);
            if (close == std::string::npos)
                throw std::invalid_argument("the placeholder at offset " + std::to_string(i) + " is not closed");
            const std::string path = m_text.substr(i + 1, close - i - 1);
            if (path.empty())
                throw std::invalid_argument("an empty placeholder {} at offset " + std::to_string(i));
            if (path.find('{') != std::string::npos)
                throw std::invalid_argument("a '{' inside the placeholder at offset " + std::to_string(i));
            parsePath(path); // validates
            if (!literal.empty())
                m_pieces.push_back({false, std::move(literal)});
            literal.clear();
            m_pieces.push_back({true, path});
            i = close;
        } else {
            literal += c;
        }
    }
    if (!literal.empty())
        m_pieces.push_back({false, std::move(literal)});
}

std::vector<std::string> PromptTemplate::placeholders() const
{
    std::vector<std::string> out;
    for (const Piece& p : m_pieces) {
        if (p.isField)
            out.push_back(p.value);
    }
    return out;
}

std::string PromptTemplate::render(const nlohmann::json& record) const
{
    std::string out;
    for (const Piece& p : m_pieces) {
        if (!p.isField) {
            out += p.value;
            continue;
        }
        const nlohmann::json* value = resolveFieldPath(record, p.value);
        if (!value)
            throw std::invalid_argument("missing field \"" + p.value + "\"");
        try {
            out += fieldValueText(*value);
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument("field \"" + p.value + "\" " + e.what());
        }
    }
    return out;
}

} // namespace ckptlab::engine
