#include "engine/tokenizer/TokenizerAddedVocabulary.h"

#include "engine/tokenizer/TokenizerBpe.h"
#include "engine/tokenizer/TokenizerNormalizer.h"
#include "engine/tokenizer/TokenizerUnicode.h"

#include <algorithm>

namespace ckptlab::engine::tokenizer {

int32_t LiteralMatcher::child(int32_t node, unsigned char byte) const
{
    for (const auto& [edge, target] : m_nodes[static_cast<size_t>(node)].children)
        if (edge == byte)
            return target;
    return -1;
}

void LiteralMatcher::add(std::string_view pattern, int64_t tokenId)
{
    if (pattern.empty())
        return;
    int32_t node = 0;
    for (const char c : pattern) {
        const auto byte = static_cast<unsigned char>(c);
        int32_t next = child(node, byte);
        if (next < 0) {
            next = static_cast<int32_t>(m_nodes.size());
            m_nodes[static_cast<size_t>(node)].children.emplace_back(byte, next);
            m_nodes.emplace_back();
            if (node == 0)
                m_rootChild[byte] = next;
        }
        node = next;
    }
    // With identical patterns the first one added wins, as in aho-corasick.
    if (m_nodes[static_cast<size_t>(node)].tokenId < 0)
        m_nodes[static_cast<size_t>(node)].tokenId = tokenId;
}

bool LiteralMatcher::findNext(std::string_view text, size_t from, size_t& start, size_t& end, int64_t& tokenId) const
{
    for (size_t begin = from; begin < text.size(); ++begin) {
        int32_t node = m_rootChild[static_cast<unsigned char>(text[begin])];
        if (node < 0)
            continue;
        size_t longestEnd = 0;
        int64_t longestId = -1;
        for (size_t pos = begin + 1;; ++pos) {
            if (m_nodes[static_cast<size_t>(node)].tokenId >= 0) {
                longestEnd = pos;
                longestId = m_nodes[static_cast<size_t>(node)].tokenId;
            }
            if (pos >= text.size())
                break;
            node = child(node, static_cast<unsigned char>(text[pos]));
            if (node < 0)
                break;
        }
        if (longestId >= 0) {
            start = begin;
            end = longestEnd;
            tokenId = longestId;
            return true;
        }
    }
    return false;
}

AddedVocabulary::AddedVocabulary(const std::vector<AddedToken>& tokens, const BpeModel& model,
                                 const Normalizer* normalizer)
{
    std::vector<const AddedToken*> specialOrder;
    for (const AddedToken& token : tokens)
        if (token.special && !token.content.empty() && m_specialContents.insert(token.content).second)
            specialOrder.push_back(&token);

    const auto modelSize = static_cast<int64_t>(model.vocabSize());
    std::vector<const AddedToken*> otherOrder;
    for (const AddedToken& token : tokens) {
        if (token.content.empty())
            continue;
        int64_t id = -1;
        if (const auto existing = tokenToId(token.content))
            id = *existing;
        else if (const auto inModel = model.tokenToId(token.content))
            id = *inModel;
        else if (m_idOfContent.empty())
            id = modelSize;
        else {
            int64_t largest = -1;
            for (const auto& entry : m_idOfContent)
                largest = std::max(largest, entry.second);
            id = largest >= modelSize || modelSize == 0 ? largest + 1 : modelSize;
        }
        m_idOfContent[token.content] = id;
        AddedToken& stored = m_tokenOfId[id] = token;
        if (token.normalized && normalizer) {
            std::string normalizedContent = normalizer->normalizeText(token.content);
            if (normalizedContent != token.content)
                stored.normalizedContent = std::move(normalizedContent);
        }
        if (m_specialContents.count(token.content) == 0)
            otherOrder.push_back(&token);
    }

    std::vector<const AddedToken*> order = specialOrder;
    order.insert(order.end(), otherOrder.begin(), otherOrder.end());
    for (const AddedToken* token : order) {
        const int64_t id = m_idOfContent.at(token->content);
        if (!token->normalized)
            m_rawMatcher.add(token->content, id);
        else
            m_normalizedMatcher.add(m_tokenOfId.at(id).decodedForm(), id);
    }
}

std::optional<int64_t> AddedVocabulary::tokenToId(std::string_view content) const
{
    const auto it = m_idOfContent.find(std::string(content));
    if (it == m_idOfContent.end())
        return std::nullopt;
    return it->second;
}

const AddedToken* AddedVocabulary::tokenOfId(int64_t id) const
{
    const auto it = m_tokenOfId.find(id);
    return it == m_tokenOfId.end() ? nullptr : &it->second;
}

bool AddedVocabulary::isSpecial(std::string_view content) const
{
    return !m_specialContents.empty() && m_specialContents.count(std::string(content)) > 0;
}

namespace {

char32_t lastCodePoint(std::string_view text)
{
    size_t start = text.size() - 1;
    while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80)
        --start;
    return nextCodePoint(text, start);
}

char32_t firstCodePoint(std::string_view text)
{
    size_t pos = 0;
    return nextCodePoint(text, pos);
}

// Where the whitespace that ends `text` begins.
size_t trailingWhitespaceStart(std::string_view text)
{
    size_t start = text.size();
    while (start > 0) {
        size_t charStart = start - 1;
        while (charStart > 0 && (static_cast<unsigned char>(text[charStart]) & 0xC0) == 0x80)
            --charStart;
        size_t pos = charStart;
        if (!isWhitespace(nextCodePoint(text, pos)))
            break;
        start = charStart;
    }
    return start;
}

size_t leadingWhitespaceLength(std::string_view text)
{
    size_t pos = 0;
    while (pos < text.size()) {
        const size_t charStart = pos;
        if (!isWhitespace(nextCodePoint(text, pos)))
            return charStart;
    }
    return text.size();
}

} // namespace

void AddedVocabulary::extract(TextPieces& pieces, const LiteralMatcher& matcher) const
{
    if (matcher.empty())
        return;
    TextPieces result;
    result.reserve(pieces.size());
    for (TextPiece& piece : pieces) {
        if (piece.isAddedToken()) {
            result.push_back(std::move(piece));
            continue;
        }
        const std::string_view text = piece.text;
        const auto emit = [&](size_t start, size_t end, int64_t id) {
            if (end <= start)
                return;
            TextPiece part;
            part.text.assign(text.substr(start, end - start));
            part.addedTokenId = id;
            part.startsInput = id < 0 && piece.startsInput && start == 0;
            result.push_back(std::move(part));
        };
        size_t searchFrom = 0;
        size_t pieceStart = 0;
        size_t matchStart = 0;
        size_t matchEnd = 0;
        int64_t id = -1;
        while (matcher.findNext(text, searchFrom, matchStart, matchEnd, id)) {
            // The next search starts after the match itself, whatever lstrip/rstrip then take.
            searchFrom = matchEnd;
            const AddedToken& token = m_tokenOfId.at(id);
            if (token.singleWord) {
                const bool wordBefore = matchStart > 0 && isWordCharacter(lastCodePoint(text.substr(0, matchStart)));
                const bool wordAfter = matchEnd < text.size() && isWordCharacter(firstCodePoint(text.substr(matchEnd)));
                if (wordBefore || wordAfter)
                    continue;
            }
            size_t start = matchStart;
            size_t stop = matchEnd;
            if (token.lstrip)
                start = std::max(trailingWhitespaceStart(text.substr(0, start)), pieceStart);
            if (token.rstrip)
                stop += leadingWhitespaceLength(text.substr(stop));
            if (pieceStart < start)
                emit(pieceStart, start, -1);
            emit(start, stop, id);
            pieceStart = stop;
        }
        if (pieceStart < text.size())
            emit(pieceStart, text.size(), -1);
    }
    pieces = std::move(result);
}

} // namespace ckptlab::engine::tokenizer
