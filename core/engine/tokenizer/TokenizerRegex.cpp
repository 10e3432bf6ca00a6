#include "engine/tokenizer/TokenizerRegex.h"

#include "engine/tokenizer/TokenizerUnicode.h"

#include <pcre2.h>

#include <cstdint>
#include <stdexcept>

namespace ckptlab::engine::tokenizer {

struct TokenizerRegex::Compiled {
    std::string pattern;
    pcre2_code* code = nullptr;
    bool jit = false;
    ~Compiled() { pcre2_code_free(code); }
};

namespace {

// One match block and JIT stack per thread, shared by every pattern: encode() is const and may
// run on several threads at once.
struct MatchScratch {
    pcre2_match_data* data = pcre2_match_data_create(1, nullptr);
    pcre2_jit_stack* stack = pcre2_jit_stack_create(32 * 1024, 8 * 1024 * 1024, nullptr);
    pcre2_match_context* context = pcre2_match_context_create(nullptr);
    MatchScratch() { pcre2_jit_stack_assign(context, nullptr, stack); }
    ~MatchScratch()
    {
        pcre2_match_context_free(context);
        pcre2_jit_stack_free(stack);
        pcre2_match_data_free(data);
    }
};

MatchScratch& matchScratch()
{
    thread_local MatchScratch scratch;
    return scratch;
}

std::string pcre2Message(int errorCode)
{
    PCRE2_UCHAR buffer[256];
    pcre2_get_error_message(errorCode, buffer, sizeof buffer);
    return reinterpret_cast<const char*>(buffer);
}

bool isHexDigit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Oniguruma's Unicode \w: Letter | Mark | Number | Connector_Punctuation (PCRE2's UCP \w lacks
// marks and most of Pc).
constexpr const char* kOnigWordSet = "\\p{L}\\p{M}\\p{N}\\p{Pc}";

// \b and \B on Oniguruma's word characters.
std::string wordBoundary(bool boundary)
{
    const std::string word = "[" + std::string(kOnigWordSet) + "]";
    return boundary ? "(?:(?<=" + word + ")(?!" + word + ")|(?<!" + word + ")(?=" + word + "))"
                    : "(?:(?<=" + word + ")(?=" + word + ")|(?<!" + word + ")(?!" + word + "))";
}

} // namespace

// Oniguruma (Ruby syntax) vs PCRE2: \s is White_Space in Oniguruma (PCRE2 adds U+180E); \w and
// \b use the word set above; \h is a hex digit; \uHHHH is a code point; ^ and $ always work per
// line (compiled MULTILINE); and the flag (?m) means dot-matches-newline, PCRE2's (?s).
std::string onigurumaToPcre2(std::string_view pattern)
{
    std::string out;
    out.reserve(pattern.size() + 32);
    bool inClass = false;
    size_t classContentStart = 0;
    const size_t n = pattern.size();
    for (size_t i = 0; i < n;) {
        const char c = pattern[i];
        if (c == '\\' && i + 1 < n) {
            const char escaped = pattern[i + 1];
            switch (escaped) {
            case 's': out += "\\p{White_Space}"; break;
            case 'S': out += "\\P{White_Space}"; break;
            case 'w': out += inClass ? std::string(kOnigWordSet) : "[" + std::string(kOnigWordSet) + "]"; break;
            case 'h': out += inClass ? "0-9a-fA-F" : "[0-9a-fA-F]"; break;
            case 'W':
            case 'H':
                if (inClass)
                    throw std::invalid_argument(std::string("\\") + escaped + " inside a character class is not supported");
                out += escaped == 'W' ? "[^" + std::string(kOnigWordSet) + "]" : "[^0-9a-fA-F]";
                break;
            case 'b':
            case 'B':
                if (inClass) { // a backspace, not a boundary
                    out += c;
                    out += escaped;
                    break;
                }
                out += wordBoundary(escaped == 'b');
                break;
            case 'u':
                if (i + 5 < n && isHexDigit(pattern[i + 2]) && isHexDigit(pattern[i + 3])
                    && isHexDigit(pattern[i + 4]) && isHexDigit(pattern[i + 5])) {
                    out += "\\x{" + std::string(pattern.substr(i + 2, 4)) + "}";
                    i += 6;
                    continue;
                }
                out += "\\u";
                break;
            default:
                out += c;
                out += escaped;
            }
            i += 2;
            continue;
        }
        if (inClass) {
            if (c == '[' && i + 1 < n && pattern[i + 1] == ':') {
                const size_t close = pattern.find(":]", i + 2);
                if (close == std::string_view::npos)
                    throw std::invalid_argument("unterminated POSIX class");
                out.append(pattern.substr(i, close + 2 - i));
                i = close + 2;
                continue;
            }
            if (c == '[' || (c == '&' && i + 1 < n && pattern[i + 1] == '&'))
                throw std::invalid_argument("nested character classes and && intersections are not supported");
            if (c == ']' && i > classContentStart)
                inClass = false;
            out += c;
            ++i;
            continue;
        }
        if (c == '[') {
            inClass = true;
            classContentStart = i + 1 + (i + 1 < n && pattern[i + 1] == '^');
            out += c;
            ++i;
            continue;
        }
        if (c == '(' && i + 2 < n && pattern[i + 1] == '?') {
            size_t j = i + 2;
            while (j < n && (pattern[j] == 'i' || pattern[j] == 'm' || pattern[j] == 'x' || pattern[j] == '-'))
                ++j;
            if (j > i + 2 && j < n && (pattern[j] == ')' || pattern[j] == ':')) {
                out += "(?";
                for (size_t k = i + 2; k < j; ++k)
                    out += pattern[k] == 'm' ? 's' : pattern[k];
                i = j;
                continue;
            }
        }
        out += c;
        ++i;
    }
    return out;
}

TokenizerRegex::TokenizerRegex(std::shared_ptr<const Compiled> compiled)
    : m_compiled(std::move(compiled))
{
}

namespace {

std::shared_ptr<TokenizerRegex::Compiled> compile(std::string_view source, const std::string& shownPattern,
                                                  uint32_t options)
{
    int errorCode = 0;
    PCRE2_SIZE errorOffset = 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(source.data()), source.size(), options,
                                     &errorCode, &errorOffset, nullptr);
    if (code == nullptr)
        throw std::invalid_argument("regex '" + shownPattern + "' does not compile: " + pcre2Message(errorCode)
                                    + " at offset " + std::to_string(errorOffset));
    auto compiled = std::make_shared<TokenizerRegex::Compiled>();
    compiled->pattern = shownPattern;
    compiled->code = code;
    compiled->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
    return compiled;
}

} // namespace

TokenizerRegex TokenizerRegex::fromOniguruma(std::string_view pattern)
{
    std::string translated;
    try {
        translated = onigurumaToPcre2(pattern);
    } catch (const std::invalid_argument& error) {
        throw std::invalid_argument("regex '" + std::string(pattern) + "': " + error.what());
    }
    return TokenizerRegex(compile(translated, std::string(pattern), PCRE2_UTF | PCRE2_UCP | PCRE2_MULTILINE));
}

TokenizerRegex TokenizerRegex::fromPcre2(std::string_view pattern)
{
    return TokenizerRegex(compile(pattern, std::string(pattern), PCRE2_UTF | PCRE2_UCP));
}

TokenizerRegex TokenizerRegex::literal(std::string_view text)
{
    return TokenizerRegex(compile(text, std::string(text), PCRE2_UTF | PCRE2_LITERAL));
}

const std::string& TokenizerRegex::pattern() const
{
    return m_compiled->pattern;
}

void TokenizerRegex::findAll(std::string_view text, std::vector<MatchSpan>& out) const
{
    out.clear();
    MatchScratch& scratch = matchScratch();
    const auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(scratch.data);
    size_t searchFrom = 0;
    bool haveLastEnd = false;
    size_t lastMatchEnd = 0;
    while (searchFrom <= text.size()) {
        int rc = m_compiled->jit
            ? pcre2_jit_match(m_compiled->code, subject, text.size(), searchFrom, 0, scratch.data, scratch.context)
            : pcre2_match(m_compiled->code, subject, text.size(), searchFrom, PCRE2_NO_UTF_CHECK, scratch.data,
                          scratch.context);
        if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
            rc = pcre2_match(m_compiled->code, subject, text.size(), searchFrom, PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT,
                             scratch.data, scratch.context);
        if (rc == PCRE2_ERROR_NOMATCH)
            break;
        if (rc < 0)
            throw std::runtime_error("regex '" + m_compiled->pattern + "' failed: " + pcre2Message(rc));
        const size_t start = ovector[0];
        const size_t end = ovector[1];
        if (start == end && haveLastEnd && lastMatchEnd == end) {
            searchFrom += searchFrom < text.size() ? utf8SequenceLength(static_cast<unsigned char>(text[searchFrom])) : 1;
            continue;
        }
        searchFrom = end;
        haveLastEnd = true;
        lastMatchEnd = end;
        out.push_back({start, end});
    }
}

} // namespace ckptlab::engine::tokenizer
