#include "engine/demo/DemoTokenizer.h"

#include "engine/tokenizer/TokenizerByteLevel.h"

#include <nlohmann/json.hpp>

#include <map>
#include <stdexcept>
#include <tuple>

namespace ckptlab::engine {

using Json = nlohmann::ordered_json;
using tokenizer::byteLevelCharacters;

namespace {

enum class CharClass { Letter, Digit, Space, Other };

CharClass classOf(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80)
        return CharClass::Letter;
    if (c >= '0' && c <= '9')
        return CharClass::Digit;
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v')
        return CharClass::Space;
    return CharClass::Other;
}

// GPT-2's pre-tokenizer regex (` ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`) for the
// ASCII text of the demo corpus (it has no apostrophes, so the contraction branches never
// match). Merges only need the pieces' frequencies; the tokenizer itself splits for real.
template <typename Sink>
void splitPieces(const std::string& text, Sink&& sink)
{
    const size_t n = text.size();
    const auto classAt = [&](size_t i) { return classOf(static_cast<unsigned char>(text[i])); };
    size_t i = 0;
    while (i < n) {
        size_t start = i;
        if (classAt(i) == CharClass::Space) {
            const bool spaceBeforeWord = text[i] == ' ' && i + 1 < n && classAt(i + 1) != CharClass::Space;
            if (!spaceBeforeWord) {
                size_t end = i;
                while (end < n && classAt(end) == CharClass::Space)
                    ++end;
                // Followed by a word, the run leaves its last character to that word (when it
                // is a space) or to a run of its own.
                if (end < n && end - i > 1)
                    --end;
                else if (end < n)
                    end = i + 1;
                sink(text.substr(i, end - i));
                i = end;
                continue;
            }
            ++i; // the space joins the word after it
        }
        const CharClass kind = classAt(i);
        while (i < n && classAt(i) == kind)
            ++i;
        sink(text.substr(start, i - start));
    }
}

struct Word {
    std::vector<int> symbols;
    int64_t count = 0;
};

} // namespace

std::vector<std::pair<std::string, std::string>> learnByteLevelMerges(const std::vector<std::string>& documents,
                                                                       int vocabSize)
{
    if (vocabSize < 257)
        throw std::invalid_argument("a byte-level vocabulary needs at least 257 tokens");
    std::map<std::string, int64_t> pieceCounts;
    for (const std::string& document : documents)
        splitPieces(document, [&](std::string piece) { ++pieceCounts[std::move(piece)]; });

    std::vector<std::string> symbolText(byteLevelCharacters().begin(), byteLevelCharacters().end());
    std::vector<Word> words;
    words.reserve(pieceCounts.size());
    for (const auto& [piece, count] : pieceCounts) {
        Word w;
        w.count = count;
        for (unsigned char byte : piece)
            w.symbols.push_back(byte);
        words.push_back(std::move(w));
    }

    std::map<std::string, int> symbolOfText;
    for (size_t id = 0; id < symbolText.size(); ++id)
        symbolOfText.emplace(symbolText[id], static_cast<int>(id));
    std::vector<std::pair<std::string, std::string>> merges;
    while (static_cast<int>(symbolText.size()) < vocabSize - 1) { // the end-of-text token comes last
        std::map<std::pair<int, int>, int64_t> pairCounts;
        for (const Word& w : words) {
            for (size_t k = 0; k + 1 < w.symbols.size(); ++k)
                pairCounts[{w.symbols[k], w.symbols[k + 1]}] += w.count;
        }
        const std::pair<int, int>* best = nullptr;
        int64_t bestCount = 1;
        for (const auto& [pair, count] : pairCounts) {
            const bool better = count > bestCount
                || (best && count == bestCount
                    && std::tie(symbolText[pair.first], symbolText[pair.second])
                        < std::tie(symbolText[best->first], symbolText[best->second]));
            if (better) {
                best = &pair;
                bestCount = count;
            }
        }
        if (!best)
            break; // no pair occurs twice
        const auto [left, right] = *best;
        // Two merge paths may spell the same token ("a"+"bc", "ab"+"c"): one id for both.
        const auto [found, isNew] = symbolOfText.emplace(symbolText[left] + symbolText[right], static_cast<int>(symbolText.size()));
        const int merged = found->second;
        if (isNew)
            symbolText.push_back(found->first);
        merges.emplace_back(symbolText[left], symbolText[right]);
        for (Word& w : words) {
            std::vector<int> out;
            out.reserve(w.symbols.size());
            for (size_t k = 0; k < w.symbols.size(); ++k) {
                if (k + 1 < w.symbols.size() && w.symbols[k] == left && w.symbols[k + 1] == right) {
                    out.push_back(merged);
                    ++k;
                } else {
                    out.push_back(w.symbols[k]);
                }
            }
            w.symbols = std::move(out);
        }
    }
    return merges;
}

std::string byteLevelBpeTokenizerJson(const std::vector<std::pair<std::string, std::string>>& merges)
{
    Json vocab = Json::object();
    int64_t next = 0;
    for (const std::string& byte : byteLevelCharacters())
        vocab[byte] = next++;
    Json mergeList = Json::array();
    for (const auto& [left, right] : merges) {
        if (!vocab.contains(left + right))
            vocab[left + right] = next++;
        mergeList.push_back(left + " " + right);
    }
    const Json byteLevel = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}};
    const Json tokenizer = {
        {"version", "1.0"},
        {"truncation", nullptr},
        {"padding", nullptr},
        {"added_tokens",
         Json::array({{{"id", next}, {"content", kDemoEndOfText}, {"single_word", false}, {"lstrip", false},
                       {"rstrip", false}, {"normalized", false}, {"special", true}}})},
        {"normalizer", nullptr},
        {"pre_tokenizer", byteLevel},
        {"post_processor", nullptr},
        {"decoder", byteLevel},
        {"model",
         {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", nullptr}, {"continuing_subword_prefix", nullptr},
          {"end_of_word_suffix", nullptr}, {"fuse_unk", false}, {"byte_fallback", false},
          {"vocab", vocab}, {"merges", mergeList}}}};
    return tokenizer.dump(2) + '\n';
}

std::string demoTokenizerConfigJson(int modelMaxLength)
{
    const Json config = {{"tokenizer_class", "PreTrainedTokenizerFast"}, {"bos_token", kDemoEndOfText},
                         {"eos_token", kDemoEndOfText},            {"unk_token", kDemoEndOfText},
                         {"add_prefix_space", false},               {"model_max_length", modelMaxLength}};
    return config.dump(2) + '\n';
}

} // namespace ckptlab::engine
