#pragma once

// tokenizer.json "added_tokens": tokens matched in the text before the model runs, with lstrip,
// rstrip, single_word and normalized, and the ids Hugging Face gives them.

#include "engine/tokenizer/TokenizerJson.h"
#include "engine/tokenizer/TokenizerSplit.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace ckptlab::engine::tokenizer {

class BpeModel;
class Normalizer;

struct AddedToken {
    std::string content;
    bool singleWord = false;
    bool lstrip = false;
    bool rstrip = false;
    bool normalized = true;
    bool special = false;
    // What decode() shows for the token: the normalizer's output for a normalized token when it
    // differs from the content, as Hugging Face caches it (skip_special_tokens then keeps it).
    std::optional<std::string> normalizedContent;

    const std::string& decodedForm() const { return normalizedContent ? *normalizedContent : content; }
};

// Leftmost-longest matching of a fixed set of strings (what Hugging Face builds with aho-corasick).
class LiteralMatcher {
public:
    void add(std::string_view pattern, int64_t tokenId);
    bool empty() const { return m_nodes.size() <= 1; }
    // The first match at or after `from`, the longest one starting there.
    bool findNext(std::string_view text, size_t from, size_t& start, size_t& end, int64_t& tokenId) const;

private:
    struct Node {
        std::vector<std::pair<unsigned char, int32_t>> children;
        int64_t tokenId = -1;
    };
    int32_t child(int32_t node, unsigned char byte) const;
    std::vector<Node> m_nodes{Node{}};
    std::array<int32_t, 256> m_rootChild = filledWithMinusOne(); // the hot first step, as a table

    static std::array<int32_t, 256> filledWithMinusOne()
    {
        std::array<int32_t, 256> table{};
        table.fill(-1);
        return table;
    }
};

class AddedVocabulary {
public:
    AddedVocabulary() = default;
    // `tokens` in file order. Ids follow Hugging Face: the model's id when the content is in its
    // vocabulary, otherwise the next id after the model's (the id written in the file is only a hint).
    AddedVocabulary(const std::vector<AddedToken>& tokens, const BpeModel& model, const Normalizer* normalizer);

    // Cuts added tokens out of the pieces: those with normalized=false from the raw text, the others
    // from the normalized text.
    void extractRawTokens(TextPieces& pieces) const { extract(pieces, m_rawMatcher); }
    void extractNormalizedTokens(TextPieces& pieces) const { extract(pieces, m_normalizedMatcher); }

    std::optional<int64_t> tokenToId(std::string_view content) const;
    const AddedToken* tokenOfId(int64_t id) const;
    bool isSpecial(std::string_view content) const;
    const std::unordered_map<std::string, int64_t>& idsByContent() const { return m_idOfContent; }

private:
    void extract(TextPieces& pieces, const LiteralMatcher& matcher) const;

    std::unordered_map<std::string, int64_t> m_idOfContent;
    std::unordered_map<int64_t, AddedToken> m_tokenOfId;
    std::unordered_set<std::string> m_specialContents;
    LiteralMatcher m_rawMatcher;
    LiteralMatcher m_normalizedMatcher;
};

} // namespace ckptlab::engine::tokenizer
