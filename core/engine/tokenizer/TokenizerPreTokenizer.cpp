#include "engine/tokenizer/TokenizerPreTokenizer.h"

#include "engine/tokenizer/TokenizerByteLevel.h"
#include "engine/tokenizer/TokenizerUnicode.h"

namespace ckptlab::engine::tokenizer {

namespace {

// GPT-2's pattern, which ByteLevel applies when use_regex is true.
constexpr const char* kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

class ByteLevelPreTokenizer final : public PreTokenizer {
public:
    ByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex)
        : m_addPrefixSpace(addPrefixSpace)
        , m_useRegex(useRegex)
        , m_pattern(TokenizerRegex::fromOniguruma(kGpt2Pattern))
    {
    }

    void preTokenize(TextPieces& pieces) const override
    {
        TextPieces result;
        result.reserve(pieces.size() * 4);
        std::vector<MatchSpan> matches;
        std::string prefixed;
        for (TextPiece& piece : pieces) {
            if (piece.isAddedToken()) {
                result.push_back(std::move(piece));
                continue;
            }
            std::string_view text = piece.text;
            if (m_addPrefixSpace && !text.empty() && text.front() != ' ') {
                prefixed = " ";
                prefixed += piece.text;
                text = prefixed;
            }
            if (!m_useRegex) {
                appendPiece(result, text, piece.startsInput);
                continue;
            }
            // Isolated keeps matches and the gaps between them alike.
            m_pattern.findAll(text, matches);
            size_t previous = 0;
            for (const MatchSpan& match : matches) {
                if (match.start > previous)
                    appendPiece(result, text.substr(previous, match.start - previous), piece.startsInput && previous == 0);
                if (match.end > match.start)
                    appendPiece(result, text.substr(match.start, match.end - match.start),
                                piece.startsInput && match.start == 0);
                previous = match.end;
            }
            if (previous < text.size())
                appendPiece(result, text.substr(previous), piece.startsInput && previous == 0);
        }
        pieces = std::move(result);
    }

private:
    static void appendPiece(TextPieces& out, std::string_view bytes, bool startsInput)
    {
        TextPiece piece;
        piece.text.reserve(bytes.size() * 2);
        appendByteLevel(piece.text, bytes);
        piece.startsInput = startsInput;
        out.push_back(std::move(piece));
    }

    bool m_addPrefixSpace;
    bool m_useRegex;
    TokenizerRegex m_pattern;
};

class SplitPreTokenizer final : public PreTokenizer {
public:
    SplitPreTokenizer(TokenizerRegex pattern, SplitBehavior behavior, bool invert)
        : m_pattern(std::move(pattern))
        , m_behavior(behavior)
        , m_invert(invert)
    {
    }
    void preTokenize(TextPieces& pieces) const override
    {
        std::vector<MatchSpan> matches;
        MarkedSpans spans;
        splitEachPiece(pieces, [&](std::string_view text, std::vector<MatchSpan>& ranges) {
            m_pattern.findAll(text, matches);
            spansFromMatches(text.size(), matches, spans);
            if (m_invert)
                invertSpans(spans);
            applySplitBehavior(spans, m_behavior, ranges);
        });
    }

private:
    TokenizerRegex m_pattern;
    SplitBehavior m_behavior;
    bool m_invert;
};

// Digits, Punctuation and WhitespaceSplit: one character class, one behaviour.
class CharacterClassPreTokenizer final : public PreTokenizer {
public:
    CharacterClassPreTokenizer(bool (*isDelimiter)(char32_t), SplitBehavior behavior)
        : m_isDelimiter(isDelimiter)
        , m_behavior(behavior)
    {
    }
    void preTokenize(TextPieces& pieces) const override
    {
        MarkedSpans spans;
        splitEachPiece(pieces, [&](std::string_view text, std::vector<MatchSpan>& ranges) {
            spansFromPredicate(text, m_isDelimiter, spans);
            applySplitBehavior(spans, m_behavior, ranges);
        });
    }

private:
    bool (*m_isDelimiter)(char32_t);
    SplitBehavior m_behavior;
};

// Whitespace uses the Rust regex crate's \w+|[^\w\s]+ and keeps only what it matches.
class WhitespacePreTokenizer final : public PreTokenizer {
public:
    WhitespacePreTokenizer()
        : m_pattern(TokenizerRegex::fromPcre2(
              R"([\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]+|[^\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}\p{White_Space}]+)"))
    {
    }
    void preTokenize(TextPieces& pieces) const override
    {
        std::vector<MatchSpan> matches;
        splitEachPiece(pieces, [&](std::string_view text, std::vector<MatchSpan>& ranges) {
            m_pattern.findAll(text, matches);
            for (const MatchSpan& match : matches)
                ranges.push_back(match);
        });
    }

private:
    TokenizerRegex m_pattern;
};

class MetaspacePreTokenizer final : public PreTokenizer {
public:
    MetaspacePreTokenizer(char32_t replacement, PrependScheme scheme, bool split)
        : m_scheme(scheme)
        , m_split(split)
    {
        appendUtf8(m_replacement, replacement);
    }
    void preTokenize(TextPieces& pieces) const override
    {
        for (TextPiece& piece : pieces) {
            if (piece.isAddedToken())
                continue;
            std::string replaced;
            replaced.reserve(piece.text.size() + m_replacement.size());
            for (const char byte : piece.text) {
                if (byte == ' ')
                    replaced += m_replacement;
                else
                    replaced += byte;
            }
            const bool startsWithReplacement = replaced.compare(0, m_replacement.size(), m_replacement) == 0;
            const bool prepend = !startsWithReplacement
                && (m_scheme == PrependScheme::Always || (m_scheme == PrependScheme::First && piece.startsInput));
            if (prepend)
                replaced.insert(0, m_replacement);
            piece.text = std::move(replaced);
        }
        if (!m_split)
            return;
        MarkedSpans spans;
        splitEachPiece(pieces, [&](std::string_view text, std::vector<MatchSpan>& ranges) {
            std::vector<MatchSpan> matches;
            for (size_t at = text.find(m_replacement); at != std::string_view::npos;
                 at = text.find(m_replacement, at + m_replacement.size()))
                matches.push_back({at, at + m_replacement.size()});
            spansFromMatches(text.size(), matches, spans);
            applySplitBehavior(spans, SplitBehavior::MergedWithNext, ranges);
        });
    }

private:
    std::string m_replacement;
    PrependScheme m_scheme;
    bool m_split;
};

class SequencePreTokenizer final : public PreTokenizer {
public:
    explicit SequencePreTokenizer(std::vector<std::unique_ptr<PreTokenizer>> steps)
        : m_steps(std::move(steps))
    {
    }
    void preTokenize(TextPieces& pieces) const override
    {
        for (const auto& step : m_steps)
            step->preTokenize(pieces);
    }

private:
    std::vector<std::unique_ptr<PreTokenizer>> m_steps;
};

// Split must name its behaviour; Punctuation defaults to Isolated.
SplitBehavior readBehavior(const Json& spec, const JsonPlace& place, const char* fallback)
{
    const std::string name = fallback ? stringOr(spec, "behavior", fallback, place) : requireString(spec, "behavior", place);
    const auto behavior = splitBehaviorFromName(name);
    if (!behavior)
        throwBadField(place.child("behavior"), "unknown split behavior '" + name + "'");
    return *behavior;
}

} // namespace

PrependScheme readPrependScheme(const Json& spec, const JsonPlace& place)
{
    const std::string name = stringOr(spec, "prepend_scheme", "always", place);
    PrependScheme scheme;
    if (name == "always")
        scheme = PrependScheme::Always;
    else if (name == "first")
        scheme = PrependScheme::First;
    else if (name == "never")
        scheme = PrependScheme::Never;
    else
        throwBadField(place.child("prepend_scheme"), "unknown prepend_scheme '" + name + "'");
    // The legacy field: Hugging Face refuses a file where it contradicts the scheme.
    if (!boolOr(spec, "add_prefix_space", true, place) && scheme != PrependScheme::Never)
        throwBadField(place.child("add_prefix_space"), "add_prefix_space does not match prepend_scheme");
    return scheme;
}

std::unique_ptr<PreTokenizer> makePreTokenizer(const Json& spec, const JsonPlace& place)
{
    const std::string type = typeOf(spec, place);
    if (type == "ByteLevel")
        return std::make_unique<ByteLevelPreTokenizer>(boolOr(spec, "add_prefix_space", true, place),
                                                       boolOr(spec, "use_regex", true, place));
    if (type == "Split")
        return std::make_unique<SplitPreTokenizer>(requirePattern(spec, "pattern", place),
                                                   readBehavior(spec, place, nullptr), boolOr(spec, "invert", false, place));
    if (type == "Digits")
        return std::make_unique<CharacterClassPreTokenizer>(
            isNumeric, boolOr(spec, "individual_digits", false, place) ? SplitBehavior::Isolated : SplitBehavior::Contiguous);
    if (type == "Punctuation")
        return std::make_unique<CharacterClassPreTokenizer>(isPunctuation, readBehavior(spec, place, "Isolated"));
    if (type == "WhitespaceSplit")
        return std::make_unique<CharacterClassPreTokenizer>(isWhitespace, SplitBehavior::Removed);
    if (type == "Whitespace")
        return std::make_unique<WhitespacePreTokenizer>();
    if (type == "Metaspace")
        return std::make_unique<MetaspacePreTokenizer>(requireSingleCharacter(spec, "replacement", place),
                                                       readPrependScheme(spec, place), boolOr(spec, "split", true, place));
    if (type == "Sequence") {
        const Json& list = requireArray(spec, "pretokenizers", place);
        std::vector<std::unique_ptr<PreTokenizer>> steps;
        for (size_t i = 0; i < list.size(); ++i)
            steps.push_back(makePreTokenizer(list[i], place.child("pretokenizers").element(i)));
        return std::make_unique<SequencePreTokenizer>(std::move(steps));
    }
    throwUnsupported(place, "pre_tokenizer type '" + type + "'");
}

} // namespace ckptlab::engine::tokenizer
