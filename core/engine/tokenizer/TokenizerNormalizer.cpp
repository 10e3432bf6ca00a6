#include "engine/tokenizer/TokenizerNormalizer.h"

#include "engine/tokenizer/TokenizerUnicode.h"

namespace ckptlab::engine::tokenizer {

std::string Normalizer::normalizeText(std::string_view text) const
{
    TextPiece piece;
    piece.text = std::string(text);
    normalize(piece);
    return piece.text;
}

namespace {

class UnicodeNormalizer final : public Normalizer {
public:
    explicit UnicodeNormalizer(NormalForm form)
        : m_form(form)
    {
    }
    void normalize(TextPiece& piece) const override { piece.text = normalizeUnicode(piece.text, m_form); }

private:
    NormalForm m_form;
};

class LowercaseNormalizer final : public Normalizer {
public:
    void normalize(TextPiece& piece) const override { piece.text = lowercaseEachCodePoint(piece.text); }
};

class StripNormalizer final : public Normalizer {
public:
    StripNormalizer(bool left, bool right)
        : m_left(left)
        , m_right(right)
    {
    }
    void normalize(TextPiece& piece) const override
    {
        const std::string& text = piece.text;
        size_t begin = 0;
        size_t end = text.size();
        if (m_left) {
            size_t pos = 0;
            while (pos < end) {
                const size_t charStart = pos;
                if (!isWhitespace(nextCodePoint(text, pos))) {
                    pos = charStart;
                    break;
                }
            }
            begin = pos;
        }
        if (m_right) {
            size_t afterLastVisible = begin;
            size_t pos = begin;
            while (pos < end)
                if (!isWhitespace(nextCodePoint(text, pos)))
                    afterLastVisible = pos;
            end = afterLastVisible;
        }
        if (begin > 0)
            piece.startsInput = false;
        piece.text = text.substr(begin, end - begin);
    }

private:
    bool m_left;
    bool m_right;
};

class StripAccentsNormalizer final : public Normalizer {
public:
    void normalize(TextPiece& piece) const override
    {
        std::string out;
        out.reserve(piece.text.size());
        size_t pos = 0;
        while (pos < piece.text.size()) {
            const size_t start = pos;
            if (!isCombiningMark(nextCodePoint(piece.text, pos)))
                out.append(piece.text, start, pos - start);
        }
        piece.text = std::move(out);
    }
};

class ReplaceNormalizer final : public Normalizer {
public:
    ReplaceNormalizer(TokenizerRegex pattern, std::string content)
        : m_pattern(std::move(pattern))
        , m_content(std::move(content))
    {
    }
    void normalize(TextPiece& piece) const override
    {
        std::vector<MatchSpan> matches;
        m_pattern.findAll(piece.text, matches);
        if (matches.empty())
            return;
        if (matches.front().start == 0 && matches.front().end > 0 && m_content.empty())
            piece.startsInput = false;
        std::string out;
        size_t previous = 0;
        for (const MatchSpan& match : matches) {
            out.append(piece.text, previous, match.start - previous);
            out += m_content;
            previous = match.end;
        }
        out.append(piece.text, previous, std::string::npos);
        piece.text = std::move(out);
    }

private:
    TokenizerRegex m_pattern;
    std::string m_content;
};

class PrependNormalizer final : public Normalizer {
public:
    explicit PrependNormalizer(std::string prefix)
        : m_prefix(std::move(prefix))
    {
    }
    void normalize(TextPiece& piece) const override
    {
        if (!piece.text.empty())
            piece.text.insert(0, m_prefix);
    }

private:
    std::string m_prefix;
};

class SequenceNormalizer final : public Normalizer {
public:
    explicit SequenceNormalizer(std::vector<std::unique_ptr<Normalizer>> steps)
        : m_steps(std::move(steps))
    {
    }
    void normalize(TextPiece& piece) const override
    {
        for (const auto& step : m_steps)
            step->normalize(piece);
    }

private:
    std::vector<std::unique_ptr<Normalizer>> m_steps;
};

} // namespace

std::unique_ptr<Normalizer> makeNormalizer(const Json& spec, const JsonPlace& place)
{
    const std::string type = typeOf(spec, place);
    if (type == "NFC")
        return std::make_unique<UnicodeNormalizer>(NormalForm::NFC);
    if (type == "NFD")
        return std::make_unique<UnicodeNormalizer>(NormalForm::NFD);
    if (type == "NFKC")
        return std::make_unique<UnicodeNormalizer>(NormalForm::NFKC);
    if (type == "NFKD")
        return std::make_unique<UnicodeNormalizer>(NormalForm::NFKD);
    if (type == "Lowercase")
        return std::make_unique<LowercaseNormalizer>();
    if (type == "StripAccents")
        return std::make_unique<StripAccentsNormalizer>();
    if (type == "Strip")
        return std::make_unique<StripNormalizer>(boolOr(spec, "strip_left", false, place),
                                                 boolOr(spec, "strip_right", false, place));
    if (type == "Replace")
        return std::make_unique<ReplaceNormalizer>(requirePattern(spec, "pattern", place),
                                                   requireString(spec, "content", place));
    if (type == "Prepend")
        return std::make_unique<PrependNormalizer>(requireString(spec, "prepend", place));
    if (type == "Sequence") {
        const Json& list = requireArray(spec, "normalizers", place);
        std::vector<std::unique_ptr<Normalizer>> steps;
        for (size_t i = 0; i < list.size(); ++i)
            steps.push_back(makeNormalizer(list[i], place.child("normalizers").element(i)));
        return std::make_unique<SequenceNormalizer>(std::move(steps));
    }
    throwUnsupported(place, "normalizer type '" + type + "'");
}

} // namespace ckptlab::engine::tokenizer
