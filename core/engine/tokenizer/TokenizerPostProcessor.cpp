#include "engine/tokenizer/TokenizerPostProcessor.h"

#include "engine/EngineError.h"

namespace ckptlab::engine::tokenizer {

namespace {

struct SpecialIds {
    std::vector<int64_t> ids;
    std::vector<std::string> tokens;
};

// A template as a list of parts: the sequence itself, or special ids to insert.
class TemplateProcessor final : public PostProcessor {
public:
    struct Part {
        bool isSequence = false;
        SpecialIds special;
    };
    explicit TemplateProcessor(std::vector<Part> parts)
        : m_parts(std::move(parts))
    {
    }

    void process(EncodedTokens& encoded, bool addSpecialTokens) const override
    {
        if (!addSpecialTokens)
            return;
        EncodedTokens result;
        result.withTokens = encoded.withTokens;
        for (const Part& part : m_parts) {
            if (part.isSequence) {
                result.ids.insert(result.ids.end(), encoded.ids.begin(), encoded.ids.end());
                result.tokens.insert(result.tokens.end(), encoded.tokens.begin(), encoded.tokens.end());
                continue;
            }
            for (size_t i = 0; i < part.special.ids.size(); ++i)
                result.push(part.special.ids[i], part.special.tokens[i]);
        }
        encoded = std::move(result);
    }

    size_t addedTokenCount() const override
    {
        size_t count = 0;
        for (const Part& part : m_parts)
            count += part.special.ids.size();
        return count;
    }

private:
    std::vector<Part> m_parts;
};

class NoOpProcessor final : public PostProcessor {
public:
    void process(EncodedTokens&, bool) const override {}
    size_t addedTokenCount() const override { return 0; }
};

class SequenceProcessor final : public PostProcessor {
public:
    explicit SequenceProcessor(std::vector<std::unique_ptr<PostProcessor>> steps)
        : m_steps(std::move(steps))
    {
    }
    void process(EncodedTokens& encoded, bool addSpecialTokens) const override
    {
        for (const auto& step : m_steps)
            step->process(encoded, addSpecialTokens);
    }
    size_t addedTokenCount() const override
    {
        size_t count = 0;
        for (const auto& step : m_steps)
            count += step->addedTokenCount();
        return count;
    }

private:
    std::vector<std::unique_ptr<PostProcessor>> m_steps;
};

TemplateProcessor::Part readTemplatePart(const Json& part, const Json& specialTokens, const JsonPlace& place)
{
    requireObject(part, place);
    TemplateProcessor::Part result;
    if (part.contains("Sequence")) {
        const JsonPlace sequencePlace = place.child("Sequence");
        const std::string id = requireString(requireObject(part.at("Sequence"), sequencePlace), "id", sequencePlace);
        if (id != "A")
            throwUnsupported(sequencePlace, "sequence '" + id + "' in the single template");
        result.isSequence = true;
        return result;
    }
    if (!part.contains("SpecialToken"))
        throwBadField(place, "expected {\"Sequence\": ...} or {\"SpecialToken\": ...}");
    const JsonPlace specialPlace = place.child("SpecialToken");
    const std::string name = requireString(requireObject(part.at("SpecialToken"), specialPlace), "id", specialPlace);
    const auto it = specialTokens.find(name);
    if (it == specialTokens.end())
        throwBadField(specialPlace, "special token '" + name + "' is missing from special_tokens");
    const JsonPlace definitionPlace{place.file, "post_processor.special_tokens." + name};
    const Json& ids = requireArray(requireObject(*it, definitionPlace), "ids", definitionPlace);
    const Json& tokens = requireArray(*it, "tokens", definitionPlace);
    if (ids.size() != tokens.size())
        throwBadField(definitionPlace, "ids and tokens differ in length");
    for (size_t i = 0; i < ids.size(); ++i) {
        if (!ids[i].is_number_integer() || !tokens[i].is_string())
            throwBadField(definitionPlace, "expected integer ids and string tokens");
        result.special.ids.push_back(ids[i].get<int64_t>());
        result.special.tokens.push_back(tokens[i].get<std::string>());
    }
    return result;
}

// BertProcessing and RobertaProcessing write their two tokens as ["[CLS]", 101].
TemplateProcessor::Part readTokenPair(const Json& spec, const char* key, const JsonPlace& place)
{
    const Json& pair = requireMember(spec, key, place);
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_number_integer())
        throwBadField(place.child(key), "expected [token, id]");
    TemplateProcessor::Part part;
    part.special.ids.push_back(pair[1].get<int64_t>());
    part.special.tokens.push_back(pair[0].get<std::string>());
    return part;
}

} // namespace

std::unique_ptr<PostProcessor> makePostProcessor(const Json& spec, const JsonPlace& place)
{
    const std::string type = typeOf(spec, place);
    if (type == "ByteLevel")
        return std::make_unique<NoOpProcessor>(); // it only adjusts offsets
    if (type == "TemplateProcessing") {
        const Json& single = requireArray(spec, "single", place);
        const Json& specialTokens = requireObject(requireMember(spec, "special_tokens", place), place.child("special_tokens"));
        std::vector<TemplateProcessor::Part> parts;
        for (size_t i = 0; i < single.size(); ++i)
            parts.push_back(readTemplatePart(single[i], specialTokens, place.child("single").element(i)));
        return std::make_unique<TemplateProcessor>(std::move(parts));
    }
    if (type == "BertProcessing" || type == "RobertaProcessing") {
        TemplateProcessor::Part sequence;
        sequence.isSequence = true;
        std::vector<TemplateProcessor::Part> parts{readTokenPair(spec, "cls", place), sequence,
                                                   readTokenPair(spec, "sep", place)};
        return std::make_unique<TemplateProcessor>(std::move(parts));
    }
    if (type == "Sequence") {
        const Json& list = requireArray(spec, "processors", place);
        std::vector<std::unique_ptr<PostProcessor>> steps;
        for (size_t i = 0; i < list.size(); ++i)
            steps.push_back(makePostProcessor(list[i], place.child("processors").element(i)));
        return std::make_unique<SequenceProcessor>(std::move(steps));
    }
    throwUnsupported(place, "post_processor type '" + type + "'");
}

std::optional<TruncationParams> readTruncation(const Json& spec, const JsonPlace& place)
{
    if (spec.is_null())
        return std::nullopt;
    requireObject(spec, place);
    const std::string strategy = stringOr(spec, "strategy", "LongestFirst", place);
    if (strategy != "LongestFirst" && strategy != "OnlyFirst")
        throwUnsupported(place.child("strategy"), "truncation strategy '" + strategy + "' for one sequence");
    const std::string direction = stringOr(spec, "direction", "Right", place);
    if (direction != "Right" && direction != "Left")
        throwBadField(place.child("direction"), "expected Left or Right");
    const int64_t maxLength = intOr(spec, "max_length", 512, place);
    if (maxLength < 0)
        throwBadField(place.child("max_length"), "must not be negative");
    return TruncationParams{static_cast<size_t>(maxLength), direction == "Left"};
}

void truncate(EncodedTokens& encoded, const TruncationParams& params, size_t reserved, const std::string& file)
{
    if (reserved > params.maxLength)
        throw EngineError(file, "truncation.max_length " + std::to_string(params.maxLength)
                                    + " leaves no room for the " + std::to_string(reserved) + " special tokens");
    const size_t keep = params.maxLength - reserved;
    if (encoded.ids.size() <= keep)
        return;
    const size_t drop = encoded.ids.size() - keep;
    const auto erase = [&](auto& list) {
        if (list.empty())
            return;
        if (params.fromLeft)
            list.erase(list.begin(), list.begin() + static_cast<ptrdiff_t>(drop));
        else
            list.resize(keep);
    };
    erase(encoded.ids);
    erase(encoded.tokens);
}

std::optional<PaddingParams> readPadding(const Json& spec, const JsonPlace& place)
{
    if (spec.is_null())
        return std::nullopt;
    requireObject(spec, place);
    PaddingParams params;
    const Json& strategy = requireMember(spec, "strategy", place);
    if (strategy.is_object() && strategy.contains("Fixed") && strategy.at("Fixed").is_number_unsigned())
        params.fixedLength = strategy.at("Fixed").get<size_t>();
    else if (!(strategy.is_string() && strategy.get<std::string>() == "BatchLongest"))
        throwBadField(place.child("strategy"), "expected \"BatchLongest\" or {\"Fixed\": length}");
    const int64_t multiple = intOr(spec, "pad_to_multiple_of", 0, place);
    if (multiple > 0)
        params.multipleOf = static_cast<size_t>(multiple);
    params.onLeft = stringOr(spec, "direction", "Right", place) == "Left";
    params.padId = intOr(spec, "pad_id", 0, place);
    params.padToken = stringOr(spec, "pad_token", "[PAD]", place);
    return params;
}

void pad(EncodedTokens& encoded, const PaddingParams& params)
{
    size_t target = params.fixedLength.value_or(encoded.ids.size());
    if (params.multipleOf && target % *params.multipleOf != 0)
        target += *params.multipleOf - target % *params.multipleOf;
    if (encoded.ids.size() >= target)
        return;
    const size_t missing = target - encoded.ids.size();
    const auto position = [&](auto& list) { return params.onLeft ? list.begin() : list.end(); };
    encoded.ids.insert(position(encoded.ids), missing, params.padId);
    if (encoded.withTokens)
        encoded.tokens.insert(position(encoded.tokens), missing, params.padToken);
}

} // namespace ckptlab::engine::tokenizer
