#pragma once

// The BPE model of tokenizer.json: vocabulary, ranked merges, unknown token, byte_fallback,
// ignore_merges, continuing_subword_prefix / end_of_word_suffix, and a bounded per-word cache.

#include "engine/tokenizer/TokenizerJson.h"

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ckptlab::engine::tokenizer {

class BpeModel {
public:
    // Throws EngineError naming the file and the field for a malformed or unsupported model.
    BpeModel(const Json& spec, const JsonPlace& place);

    // Appends the ids of one pre-tokenized word.
    void tokenize(const std::string& word, std::vector<int64_t>& ids) const;

    std::optional<int64_t> tokenToId(std::string_view token) const;
    const std::string* idToToken(int64_t id) const;
    size_t vocabSize() const { return m_vocab.size(); }

private:
    struct Merge {
        uint32_t rank;
        int32_t newId;
    };
    static uint64_t pairKey(int32_t left, int32_t right)
    {
        return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
    }

    void readMerges(const Json& merges, const JsonPlace& place);
    std::vector<int32_t> mergeWord(const std::string& word) const;
    void addSymbolsOfCharacter(std::string_view character, bool isFirst, bool isLast, std::vector<int32_t>& symbols,
                               std::vector<size_t>& lengths, std::optional<std::pair<int32_t, size_t>>& pendingUnknown) const;
    void applyMerges(std::vector<int32_t>& symbols, std::vector<size_t>& lengths) const;

    std::string m_file;
    std::unordered_map<std::string, int32_t> m_vocab;
    std::vector<const std::string*> m_tokenOfId;
    std::unordered_map<uint64_t, Merge> m_merges;
    std::optional<std::string> m_unknownToken;
    std::optional<std::string> m_continuingSubwordPrefix;
    std::optional<std::string> m_endOfWordSuffix;
    bool m_fuseUnknown = false;
    bool m_byteFallback = false;
    bool m_ignoreMerges = false;

    // Words seen before and their ids; cleared when full so memory stays bounded.
    static constexpr size_t kCacheCapacity = 1 << 16;
    static constexpr size_t kLongestCachedWord = 256;
    mutable std::mutex m_cacheMutex;
    mutable std::unordered_map<std::string, std::vector<int32_t>> m_cache;
};

} // namespace ckptlab::engine::tokenizer
