#pragma once

// Strict JSON parsing for safetensors headers and index files (nlohmann only, no torch).
// nlohmann silently keeps one of two equal keys; a checkpoint with two entries for one tensor
// is ambiguous, so here duplicates are an error, as are parse errors and absurd nesting.

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ckptlab::engine {

// Phrases the error for `key` appearing twice inside the object reached through `parentKeys`
// (empty for the top level); the caller knows whether that key is a tensor, a field or a shard.
using DuplicateKeyMessage = std::function<std::string(const std::vector<std::string>& parentKeys, const std::string& key)>;

// Parses `text` or throws EngineError(file, ...); `what` names the text in messages ("header").
nlohmann::json parseStrictJson(std::string_view text, const std::string& file, const std::string& what,
                               const DuplicateKeyMessage& duplicateMessage);

// A name as it appears in messages: JSON-quoted, so control characters stay visible.
std::string quotedName(std::string_view name);

// "a string", "an array", ... for messages about a value of the wrong type.
std::string jsonTypeName(const nlohmann::json& value);

} // namespace ckptlab::engine
