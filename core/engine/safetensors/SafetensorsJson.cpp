#include "engine/safetensors/SafetensorsJson.h"

#include "engine/EngineError.h"

#include <set>

namespace ckptlab::engine {

namespace {

using json = nlohmann::json;

// Safetensors headers and index files nest three levels deep; anything much deeper is not one
// of them, and refusing early keeps hostile input from building huge trees.
constexpr std::size_t kMaxNesting = 16;

struct Frame {
    bool isObject = false;
    std::set<std::string> keys;
    std::string currentKey;
};

// Thrown from inside the parser callback; turned into EngineError once nlohmann has unwound.
struct StrictJsonViolation {
    std::string detail;
};

std::string printable(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (const char c : text)
        out += (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) ? '?' : c;
    return out;
}

// nlohmann's messages start with "[json.exception.parse_error.101] "; the position and the
// reason after it are what a user needs.
std::string withoutExceptionId(const std::string& message)
{
    const auto close = message.find("] ");
    return close == std::string::npos ? message : message.substr(close + 2);
}

} // namespace

nlohmann::json parseStrictJson(std::string_view text, const std::string& file, const std::string& what,
                               const DuplicateKeyMessage& duplicateMessage)
{
    std::vector<Frame> frames;
    const json::parser_callback_t callback = [&](int, json::parse_event_t event, json& parsed) {
        switch (event) {
        case json::parse_event_t::object_start:
        case json::parse_event_t::array_start:
            if (frames.size() >= kMaxNesting)
                throw StrictJsonViolation{what + " nests deeper than " + std::to_string(kMaxNesting) + " levels"};
            frames.push_back(Frame{event == json::parse_event_t::object_start, {}, {}});
            break;
        case json::parse_event_t::object_end:
        case json::parse_event_t::array_end:
            frames.pop_back();
            break;
        case json::parse_event_t::key: {
            Frame& frame = frames.back();
            const std::string& key = parsed.get_ref<const std::string&>();
            if (!frame.keys.insert(key).second) {
                std::vector<std::string> parentKeys;
                for (std::size_t i = 0; i + 1 < frames.size(); ++i) {
                    if (frames[i].isObject)
                        parentKeys.push_back(frames[i].currentKey);
                }
                throw StrictJsonViolation{duplicateMessage(parentKeys, key)};
            }
            frame.currentKey = key;
            break;
        }
        case json::parse_event_t::value:
            break;
        }
        return true;
    };

    try {
        return json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/true);
    } catch (const StrictJsonViolation& violation) {
        throw EngineError(file, violation.detail);
    } catch (const json::exception& error) {
        throw EngineError(file, what + " is not valid JSON: " + printable(withoutExceptionId(error.what())));
    }
}

std::string quotedName(std::string_view name)
{
    return json(std::string(name)).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string jsonTypeName(const nlohmann::json& value)
{
    switch (value.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "an integer";
    case json::value_t::number_float: return "a number";
    case json::value_t::binary: return "binary data";
    case json::value_t::discarded: break;
    }
    return "an invalid value";
}

} // namespace ckptlab::engine
