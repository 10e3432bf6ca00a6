#include "engine/eval/MetricText.h"

#include <algorithm>
#include <map>

namespace ckptlab::engine {

namespace {

bool isAsciiAlnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

unsigned char asciiLower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c - 'A' + 'a') : c;
}

std::vector<std::string> splitOnSpace(const std::string& text)
{
    std::vector<std::string> out;
    std::string current;
    for (const char c : text) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            if (!current.empty())
                out.push_back(std::move(current));
            current.clear();
        } else {
            current += c;
        }
    }
    if (!current.empty())
        out.push_back(std::move(current));
    return out;
}

size_t lcsLength(const std::vector<std::string>& a, const std::vector<std::string>& b)
{
    if (a.empty() || b.empty())
        return 0;
    std::vector<size_t> previous(b.size() + 1, 0), current(b.size() + 1, 0);
    for (size_t i = 1; i <= a.size(); ++i) {
        for (size_t j = 1; j <= b.size(); ++j)
            current[j] = a[i - 1] == b[j - 1] ? previous[j - 1] + 1 : std::max(previous[j], current[j - 1]);
        std::swap(previous, current);
    }
    return previous[b.size()];
}

bool isAsciiPunctuation(unsigned char c)
{
    return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
}

} // namespace

std::vector<std::string> rougeTokens(std::string_view text)
{
    // Python's str.lower() then re.sub(r"[^a-z0-9]+", " "): every non-ASCII character is a
    // separator, except the two that lowercase to ASCII letters: KELVIN SIGN (U+212A -> k) and
    // LATIN CAPITAL LETTER I WITH DOT ABOVE (U+0130 -> i + combining dot).
    std::string mapped;
    mapped.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            const unsigned char lower = asciiLower(c);
            mapped += isAsciiAlnum(lower) ? static_cast<char>(lower) : ' ';
        } else if (text.substr(i, 3) == "\xE2\x84\xAA") {
            mapped += 'k';
            i += 2;
        } else if (text.substr(i, 2) == "\xC4\xB0") {
            mapped += "i ";
            i += 1;
        } else {
            mapped += ' ';
        }
    }
    return splitOnSpace(mapped);
}

PrecisionRecallF rougeL(std::string_view reference, std::string_view prediction)
{
    const std::vector<std::string> ref = rougeTokens(reference), pred = rougeTokens(prediction);
    PrecisionRecallF out;
    if (ref.empty() || pred.empty())
        return out;
    const double lcs = static_cast<double>(lcsLength(ref, pred));
    out.precision = lcs / static_cast<double>(pred.size());
    out.recall = lcs / static_cast<double>(ref.size());
    out.f = out.precision + out.recall > 0 ? 2 * out.precision * out.recall / (out.precision + out.recall) : 0.0;
    return out;
}

std::string squadNormalize(std::string_view text)
{
    std::string lowered;
    lowered.reserve(text.size());
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (!isAsciiPunctuation(c))
            lowered += static_cast<char>(asciiLower(c));
    }
    std::string out;
    for (const std::string& token : splitOnSpace(lowered)) {
        if (token == "a" || token == "an" || token == "the")
            continue;
        out += (out.empty() ? "" : " ") + token;
    }
    return out;
}

std::vector<std::string> squadTokens(std::string_view text)
{
    return splitOnSpace(squadNormalize(text));
}

double exactMatch(std::string_view reference, std::string_view prediction)
{
    return squadNormalize(reference) == squadNormalize(prediction) ? 1.0 : 0.0;
}

double tokenF1(std::string_view reference, std::string_view prediction)
{
    const std::vector<std::string> ref = squadTokens(reference), pred = squadTokens(prediction);
    if (ref.empty() || pred.empty())
        return ref == pred ? 1.0 : 0.0;
    std::map<std::string, int> counts;
    for (const std::string& t : ref)
        ++counts[t];
    int same = 0;
    for (const std::string& t : pred) {
        auto it = counts.find(t);
        if (it != counts.end() && it->second > 0) {
            --it->second;
            ++same;
        }
    }
    if (same == 0)
        return 0.0;
    const double precision = double(same) / double(pred.size()), recall = double(same) / double(ref.size());
    return 2 * precision * recall / (precision + recall);
}

} // namespace ckptlab::engine
