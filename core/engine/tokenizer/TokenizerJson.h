#pragma once

// Reading tokenizer.json: typed field access whose errors name the file and the field, and the one
// error for a feature ckptlab does not implement.

#include "engine/tokenizer/TokenizerRegex.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace ckptlab::engine::tokenizer {

using Json = nlohmann::json;

// Where a JSON value sits: the file and a path such as "pre_tokenizer.pretokenizers[1]".
struct JsonPlace {
    const std::string& file;
    std::string path;

    JsonPlace child(std::string_view key) const;
    JsonPlace element(size_t index) const;
};

Json readJsonFile(const std::string& file);

[[noreturn]] void throwBadField(const JsonPlace& place, const std::string& problem);
// "<path>: <feature> is not supported by ckptlab" — never silently ignored.
[[noreturn]] void throwUnsupported(const JsonPlace& place, const std::string& feature);

const Json& requireObject(const Json& value, const JsonPlace& place);
const Json& requireMember(const Json& object, std::string_view key, const JsonPlace& place);
std::string requireString(const Json& object, std::string_view key, const JsonPlace& place);
std::string stringOr(const Json& object, std::string_view key, const std::string& fallback, const JsonPlace& place);
bool boolOr(const Json& object, std::string_view key, bool fallback, const JsonPlace& place);
int64_t intOr(const Json& object, std::string_view key, int64_t fallback, const JsonPlace& place);
const Json& requireArray(const Json& object, std::string_view key, const JsonPlace& place);
// The component's "type" (the tag Hugging Face serializes every component with).
std::string typeOf(const Json& object, const JsonPlace& place);
// A one-character string such as Metaspace's replacement.
char32_t requireSingleCharacter(const Json& object, std::string_view key, const JsonPlace& place);
// A Split or Replace pattern: {"String": literal} or {"Regex": Oniguruma pattern}.
TokenizerRegex requirePattern(const Json& object, std::string_view key, const JsonPlace& place);

} // namespace ckptlab::engine::tokenizer
