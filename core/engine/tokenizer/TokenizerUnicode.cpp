#include "engine/tokenizer/TokenizerUnicode.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include <stdexcept>

namespace ckptlab::engine::tokenizer {

size_t utf8SequenceLength(unsigned char leadByte)
{
    if (leadByte < 0x80)
        return 1;
    if ((leadByte & 0xE0) == 0xC0)
        return 2;
    if ((leadByte & 0xF0) == 0xE0)
        return 3;
    if ((leadByte & 0xF8) == 0xF0)
        return 4;
    return 1;
}

char32_t nextCodePoint(std::string_view text, size_t& pos)
{
    const auto lead = static_cast<unsigned char>(text[pos]);
    const size_t length = utf8SequenceLength(lead);
    if (length == 1 || pos + length > text.size()) {
        ++pos;
        return lead;
    }
    char32_t c = lead & (0xFF >> (length + 1));
    for (size_t i = 1; i < length; ++i)
        c = (c << 6) | (static_cast<unsigned char>(text[pos + i]) & 0x3F);
    pos += length;
    return c;
}

void appendUtf8(std::string& out, char32_t c)
{
    if (c < 0x80) {
        out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (c >> 6)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (c >> 12)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (c >> 18)));
        out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
}

size_t countCodePoints(std::string_view text)
{
    size_t count = 0;
    for (const char byte : text)
        count += (static_cast<unsigned char>(byte) & 0xC0) != 0x80;
    return count;
}

namespace {

// Length of the valid UTF-8 sequence at bytes[pos], or 0 with `validPrefix` set to how many bytes
// belong to the maximal invalid subpart (the Unicode "substitution of maximal subparts").
size_t validSequenceLength(std::string_view bytes, size_t pos, size_t& validPrefix)
{
    const auto at = [&](size_t i) { return static_cast<unsigned char>(bytes[i]); };
    const unsigned char lead = at(pos);
    validPrefix = 1;
    if (lead < 0x80)
        return 1;
    size_t length = 0;
    unsigned char secondLow = 0x80, secondHigh = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0)
            secondLow = 0xA0;
        if (lead == 0xED)
            secondHigh = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0)
            secondLow = 0x90;
        if (lead == 0xF4)
            secondHigh = 0x8F;
    } else {
        return 0;
    }
    for (size_t i = 1; i < length; ++i) {
        if (pos + i >= bytes.size())
            return 0;
        const unsigned char byte = at(pos + i);
        const unsigned char low = i == 1 ? secondLow : 0x80;
        const unsigned char high = i == 1 ? secondHigh : 0xBF;
        if (byte < low || byte > high)
            return 0;
        validPrefix = i + 1;
    }
    return length;
}

} // namespace

bool isValidUtf8(std::string_view bytes)
{
    size_t pos = 0;
    size_t validPrefix = 0;
    while (pos < bytes.size()) {
        if (static_cast<unsigned char>(bytes[pos]) < 0x80) {
            ++pos;
            continue;
        }
        const size_t length = validSequenceLength(bytes, pos, validPrefix);
        if (length == 0)
            return false;
        pos += length;
    }
    return true;
}

std::string utf8Lossy(std::string_view bytes)
{
    std::string out;
    out.reserve(bytes.size());
    size_t pos = 0;
    size_t validPrefix = 0;
    while (pos < bytes.size()) {
        const size_t length = validSequenceLength(bytes, pos, validPrefix);
        if (length == 0) {
            out += "\xEF\xBF\xBD";
            pos += validPrefix;
        } else {
            out.append(bytes.substr(pos, length));
            pos += length;
        }
    }
    return out;
}

bool isWhitespace(char32_t c)
{
    if (c < 0x80)
        return c == ' ' || (c >= 0x09 && c <= 0x0D);
    return u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_WHITE_SPACE);
}

bool isNumeric(char32_t c)
{
    if (c < 0x80)
        return c >= '0' && c <= '9';
    return (U_GET_GC_MASK(static_cast<UChar32>(c)) & U_GC_N_MASK) != 0;
}

bool isAlphanumeric(char32_t c)
{
    if (c < 0x80)
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    return u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_ALPHABETIC) || isNumeric(c);
}

bool isPunctuation(char32_t c)
{
    if (c < 0x80)
        return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60)
            || (c >= 0x7B && c <= 0x7E);
    return (U_GET_GC_MASK(static_cast<UChar32>(c)) & U_GC_P_MASK) != 0;
}

bool isCombiningMark(char32_t c)
{
    return (U_GET_GC_MASK(static_cast<UChar32>(c)) & U_GC_M_MASK) != 0;
}

bool isWordCharacter(char32_t c)
{
    if (c < 0x80)
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const auto cp = static_cast<UChar32>(c);
    const auto mask = U_GET_GC_MASK(cp);
    return u_hasBinaryProperty(cp, UCHAR_ALPHABETIC) || (mask & (U_GC_M_MASK | U_GC_ND_MASK | U_GC_PC_MASK))
        || u_hasBinaryProperty(cp, UCHAR_JOIN_CONTROL);
}

namespace {

const icu::Normalizer2& normalizerFor(NormalForm form)
{
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* normalizer = nullptr;
    switch (form) {
    case NormalForm::NFC: normalizer = icu::Normalizer2::getNFCInstance(status); break;
    case NormalForm::NFD: normalizer = icu::Normalizer2::getNFDInstance(status); break;
    case NormalForm::NFKC: normalizer = icu::Normalizer2::getNFKCInstance(status); break;
    case NormalForm::NFKD: normalizer = icu::Normalizer2::getNFKDInstance(status); break;
    }
    if (U_FAILURE(status) || normalizer == nullptr)
        throw std::runtime_error(std::string("ICU normalizer unavailable: ") + u_errorName(status));
    return *normalizer;
}

bool isAscii(std::string_view text)
{
    for (const char byte : text)
        if (static_cast<unsigned char>(byte) >= 0x80)
            return false;
    return true;
}

} // namespace

std::string normalizeUnicode(std::string_view text, NormalForm form)
{
    if (isAscii(text))
        return std::string(text); // ASCII is invariant under all four forms
    const icu::Normalizer2& normalizer = normalizerFor(form);
    const icu::StringPiece input(text.data(), static_cast<int32_t>(text.size()));
    UErrorCode status = U_ZERO_ERROR;
    if (normalizer.isNormalizedUTF8(input, status) && U_SUCCESS(status))
        return std::string(text);
    std::string out;
    out.reserve(text.size());
    icu::StringByteSink<std::string> sink(&out);
    status = U_ZERO_ERROR;
    normalizer.normalizeUTF8(0, input, sink, nullptr, status);
    if (U_FAILURE(status))
        throw std::runtime_error(std::string("ICU normalization failed: ") + u_errorName(status));
    return out;
}

std::string lowercaseEachCodePoint(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    size_t pos = 0;
    while (pos < text.size()) {
        const auto byte = static_cast<unsigned char>(text[pos]);
        if (byte < 0x80) {
            out.push_back(static_cast<char>(byte >= 'A' && byte <= 'Z' ? byte + 32 : byte));
            ++pos;
            continue;
        }
        const char32_t c = nextCodePoint(text, pos);
        UChar source[2];
        int32_t sourceLength = 0;
        U16_APPEND_UNSAFE(source, sourceLength, static_cast<UChar32>(c));
        // A single code point has no casing context, so the root locale applies only the
        // unconditional mappings, as Rust's char::to_lowercase does.
        UChar lowered[8];
        UErrorCode status = U_ZERO_ERROR;
        const int32_t loweredLength = u_strToLower(lowered, 8, source, sourceLength, "", &status);
        if (U_FAILURE(status)) {
            appendUtf8(out, c);
            continue;
        }
        for (int32_t i = 0; i < loweredLength;) {
            UChar32 lc;
            U16_NEXT_UNSAFE(lowered, i, lc);
            appendUtf8(out, static_cast<char32_t>(lc));
        }
    }
    return out;
}

} // namespace ckptlab::engine::tokenizer
