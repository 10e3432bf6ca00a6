#include "engine/tokenizer/TokenizerJson.h"

#include "engine/EngineError.h"
#include "engine/tokenizer/TokenizerUnicode.h"

#include <fstream>
#include <sstream>

namespace ckptlab::engine::tokenizer {

JsonPlace JsonPlace::child(std::string_view key) const
{
    return {file, path.empty() ? std::string(key) : path + "." + std::string(key)};
}

JsonPlace JsonPlace::element(size_t index) const
{
    return {file, path + "[" + std::to_string(index) + "]"};
}

Json readJsonFile(const std::string& file)
{
    std::ifstream stream(file, std::ios::binary);
    if (!stream)
        throw EngineError(file, "cannot be opened for reading");
    std::ostringstream contents;
    contents << stream.rdbuf();
    try {
        return Json::parse(contents.str());
    } catch (const Json::parse_error& error) {
        throw EngineError(file, std::string("is not valid JSON: ") + error.what());
    }
}

void throwBadField(const JsonPlace& place, const std::string& problem)
{
    throw EngineError(place.file, (place.path.empty() ? std::string("top level") : place.path) + ": " + problem);
}

void throwUnsupported(const JsonPlace& place, const std::string& feature)
{
    throwBadField(place, feature + " is not supported by ckptlab's tokenizer");
}

const Json& requireObject(const Json& value, const JsonPlace& place)
{
    if (!value.is_object())
        throwBadField(place, "expected an object");
    return value;
}

const Json& requireMember(const Json& object, std::string_view key, const JsonPlace& place)
{
    const auto it = object.find(std::string(key));
    if (it == object.end())
        throwBadField(place, "missing field '" + std::string(key) + "'");
    return *it;
}

std::string requireString(const Json& object, std::string_view key, const JsonPlace& place)
{
    const Json& value = requireMember(object, key, place);
    if (!value.is_string())
        throwBadField(place.child(key), "expected a string");
    return value.get<std::string>();
}

std::string stringOr(const Json& object, std::string_view key, const std::string& fallback, const JsonPlace& place)
{
    const auto it = object.find(std::string(key));
    if (it == object.end() || it->is_null())
        return fallback;
    if (!it->is_string())
        throwBadField(place.child(key), "expected a string");
    return it->get<std::string>();
}

bool boolOr(const Json& object, std::string_view key, bool fallback, const JsonPlace& place)
{
    const auto it = object.find(std::string(key));
    if (it == object.end() || it->is_null())
        return fallback;
    if (!it->is_boolean())
        throwBadField(place.child(key), "expected true or false");
    return it->get<bool>();
}

int64_t intOr(const Json& object, std::string_view key, int64_t fallback, const JsonPlace& place)
{
    const auto it = object.find(std::string(key));
    if (it == object.end() || it->is_null())
        return fallback;
    if (!it->is_number_integer())
        throwBadField(place.child(key), "expected an integer");
    return it->get<int64_t>();
}

const Json& requireArray(const Json& object, std::string_view key, const JsonPlace& place)
{
    const Json& value = requireMember(object, key, place);
    if (!value.is_array())
        throwBadField(place.child(key), "expected an array");
    return value;
}

std::string typeOf(const Json& object, const JsonPlace& place)
{
    requireObject(object, place);
    return requireString(object, "type", place);
}

char32_t requireSingleCharacter(const Json& object, std::string_view key, const JsonPlace& place)
{
    const std::string text = requireString(object, key, place);
    if (text.empty() || !isValidUtf8(text) || countCodePoints(text) != 1)
        throwBadField(place.child(key), "expected exactly one character");
    size_t pos = 0;
    return nextCodePoint(text, pos);
}

TokenizerRegex requirePattern(const Json& object, std::string_view key, const JsonPlace& place)
{
    const JsonPlace patternPlace = place.child(key);
    const Json& pattern = requireObject(requireMember(object, key, place), patternPlace);
    try {
        if (pattern.contains("String"))
            return TokenizerRegex::literal(requireString(pattern, "String", patternPlace));
        if (pattern.contains("Regex"))
            return TokenizerRegex::fromOniguruma(requireString(pattern, "Regex", patternPlace));
    } catch (const std::invalid_argument& error) {
        throwBadField(patternPlace, error.what());
    }
    throwBadField(patternPlace, "expected {\"String\": ...} or {\"Regex\": ...}");
}

} // namespace ckptlab::engine::tokenizer
