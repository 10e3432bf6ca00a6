#include "engine/tokenizer/TokenizerDecoder.h"

#include "engine/tokenizer/TokenizerByteLevel.h"
#include "engine/tokenizer/TokenizerPreTokenizer.h"
#include "engine/tokenizer/TokenizerRegex.h"
#include "engine/tokenizer/TokenizerUnicode.h"

#include <algorithm>

namespace ckptlab::engine::tokenizer {

std::string TokenDecoder::decode(std::vector<std::string> tokens) const
{
    decodeChain(tokens);
    std::string text;
    for (const std::string& token : tokens)
        text += token;
    return text;
}

namespace {

class ByteLevelDecoder final : public TokenDecoder {
public:
    void decodeChain(std::vector<std::string>& tokens) const override
    {
        std::string bytes;
        for (const std::string& token : tokens) {
            const size_t before = bytes.size();
            size_t pos = 0;
            bool allMapped = true;
            while (pos < token.size()) {
                const int byte = byteOfByteLevelCharacter(nextCodePoint(token, pos));
                if (byte < 0) {
                    allMapped = false;
                    break;
                }
                bytes.push_back(static_cast<char>(byte));
            }
            if (!allMapped) { // e.g. an added token: its own UTF-8 bytes
                bytes.resize(before);
                bytes += token;
            }
        }
        tokens.assign(1, utf8Lossy(bytes));
    }
};

class MetaspaceDecoder final : public TokenDecoder {
public:
    MetaspaceDecoder(char32_t replacement, PrependScheme scheme)
        : m_replacement(replacement)
        , m_scheme(scheme)
    {
    }
    void decodeChain(std::vector<std::string>& tokens) const override
    {
        for (size_t i = 0; i < tokens.size(); ++i) {
            // Hugging Face drops every replacement character of the first token, not only a leading one.
            const bool dropReplacement = i == 0 && m_scheme != PrependScheme::Never;
            std::string out;
            size_t pos = 0;
            while (pos < tokens[i].size()) {
                const size_t start = pos;
                const char32_t c = nextCodePoint(tokens[i], pos);
                if (c != m_replacement)
                    out.append(tokens[i], start, pos - start);
                else if (!dropReplacement)
                    out += ' ';
            }
            tokens[i] = std::move(out);
        }
    }

private:
    char32_t m_replacement;
    PrependScheme m_scheme;
};

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// "<0xAB>" -> 0xAB, with Rust's u8::from_str_radix rules (so "<0x+A>" is 0x0A as well).
int byteOfFallbackToken(const std::string& token)
{
    if (token.size() != 6 || token.compare(0, 3, "<0x") != 0 || token[5] != '>')
        return -1;
    if (token[3] == '+')
        return hexValue(token[4]);
    const int high = hexValue(token[3]);
    const int low = hexValue(token[4]);
    return high < 0 || low < 0 ? -1 : high * 16 + low;
}

class ByteFallbackDecoder final : public TokenDecoder {
public:
    void decodeChain(std::vector<std::string>& tokens) const override
    {
        std::vector<std::string> out;
        std::string pendingBytes;
        const auto flush = [&] {
            if (pendingBytes.empty())
                return;
            if (isValidUtf8(pendingBytes))
                out.push_back(pendingBytes);
            else
                out.insert(out.end(), pendingBytes.size(), "\xEF\xBF\xBD"); // one U+FFFD per byte
            pendingBytes.clear();
        };
        for (std::string& token : tokens) {
            const int byte = byteOfFallbackToken(token);
            if (byte >= 0) {
                pendingBytes.push_back(static_cast<char>(byte));
                continue;
            }
            flush();
            out.push_back(std::move(token));
        }
        flush();
        tokens = std::move(out);
    }
};

class FuseDecoder final : public TokenDecoder {
public:
    void decodeChain(std::vector<std::string>& tokens) const override
    {
        std::string joined;
        for (const std::string& token : tokens)
            joined += token;
        tokens.assign(1, std::move(joined));
    }
};

class StripDecoder final : public TokenDecoder {
public:
    StripDecoder(char32_t content, size_t start, size_t stop)
        : m_content(content)
        , m_start(start)
        , m_stop(stop)
    {
    }
    void decodeChain(std::vector<std::string>& tokens) const override
    {
        for (std::string& token : tokens) {
            std::vector<size_t> offsets; // byte offset of each character, then the end
            for (size_t pos = 0; pos < token.size();) {
                offsets.push_back(pos);
                nextCodePoint(token, pos);
            }
            const size_t count = offsets.size();
            offsets.push_back(token.size());
            const auto isContent = [&](size_t index) {
                size_t pos = offsets[index];
                return nextCodePoint(token, pos) == m_content;
            };
            size_t startCut = 0;
            while (startCut < std::min(m_start, count) && isContent(startCut))
                ++startCut;
            size_t stopCut = count;
            for (size_t i = 0; i < m_stop && i < count && isContent(count - i - 1); ++i)
                stopCut = count - i - 1;
            // Hugging Face panics when the cuts cross; an empty token is the sane reading.
            token = startCut >= stopCut ? std::string() : token.substr(offsets[startCut], offsets[stopCut] - offsets[startCut]);
        }
    }

private:
    char32_t m_content;
    size_t m_start;
    size_t m_stop;
};

class ReplaceDecoder final : public TokenDecoder {
public:
    ReplaceDecoder(TokenizerRegex pattern, std::string content)
        : m_pattern(std::move(pattern))
        , m_content(std::move(content))
    {
    }
    void decodeChain(std::vector<std::string>& tokens) const override
    {
        std::vector<MatchSpan> matches;
        for (std::string& token : tokens) {
            m_pattern.findAll(token, matches);
            if (matches.empty())
                continue;
            std::string out;
            size_t previous = 0;
            for (const MatchSpan& match : matches) {
                out.append(token, previous, match.start - previous);
                out += m_content;
                previous = match.end;
            }
            out.append(token, previous, std::string::npos);
            token = std::move(out);
        }
    }

private:
    TokenizerRegex m_pattern;
    std::string m_content;
};

class SequenceDecoder final : public TokenDecoder {
public:
    explicit SequenceDecoder(std::vector<std::unique_ptr<TokenDecoder>> steps)
        : m_steps(std::move(steps))
    {
    }
    void decodeChain(std::vector<std::string>& tokens) const override
    {
        for (const auto& step : m_steps)
            step->decodeChain(tokens);
    }

private:
    std::vector<std::unique_ptr<TokenDecoder>> m_steps;
};

size_t readCount(const Json& spec, const char* key, const JsonPlace& place)
{
    const int64_t value = intOr(spec, key, 0, place);
    if (value < 0)
        throwBadField(place.child(key), "must not be negative");
    return static_cast<size_t>(value);
}

} // namespace

std::unique_ptr<TokenDecoder> makeTokenDecoder(const Json& spec, const JsonPlace& place)
{
    const std::string type = typeOf(spec, place);
    if (type == "ByteLevel")
        return std::make_unique<ByteLevelDecoder>();
    if (type == "Metaspace")
        return std::make_unique<MetaspaceDecoder>(requireSingleCharacter(spec, "replacement", place),
                                                  readPrependScheme(spec, place));
    if (type == "ByteFallback")
        return std::make_unique<ByteFallbackDecoder>();
    if (type == "Fuse")
        return std::make_unique<FuseDecoder>();
    if (type == "Strip")
        return std::make_unique<StripDecoder>(requireSingleCharacter(spec, "content", place),
                                              readCount(spec, "start", place), readCount(spec, "stop", place));
    if (type == "Replace")
        return std::make_unique<ReplaceDecoder>(requirePattern(spec, "pattern", place), requireString(spec, "content", place));
    if (type == "Sequence") {
        const Json& list = requireArray(spec, "decoders", place);
        std::vector<std::unique_ptr<TokenDecoder>> steps;
        for (size_t i = 0; i < list.size(); ++i)
            steps.push_back(makeTokenDecoder(list[i], place.child("decoders").element(i)));
        return std::make_unique<SequenceDecoder>(std::move(steps));
    }
    throwUnsupported(place, "decoder type '" + type + "'");
}

} // namespace ckptlab::engine::tokenizer
