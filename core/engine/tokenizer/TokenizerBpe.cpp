#include "engine/tokenizer/TokenizerBpe.h"

#include "engine/EngineError.h"
#include "engine/tokenizer/TokenizerUnicode.h"

#include <algorithm>
#include <cstdio>
#include <queue>

namespace ckptlab::engine::tokenizer {

namespace {

std::optional<std::string> optionalString(const Json& spec, const char* key, const JsonPlace& place)
{
    const auto it = spec.find(key);
    if (it == spec.end() || it->is_null())
        return std::nullopt;
    if (!it->is_string())
        throwBadField(place.child(key), "expected a string or null");
    return it->get<std::string>();
}

constexpr int64_t kLargestSupportedId = int64_t(1) << 26;

} // namespace

BpeModel::BpeModel(const Json& spec, const JsonPlace& place)
    : m_file(place.file)
{
    const auto dropout = spec.find("dropout");
    if (dropout != spec.end() && !dropout->is_null() && !(dropout->is_number() && dropout->get<double>() == 0.0))
        throwUnsupported(place.child("dropout"), "BPE dropout (random merges)");
    m_unknownToken = optionalString(spec, "unk_token", place);
    m_continuingSubwordPrefix = optionalString(spec, "continuing_subword_prefix", place);
    m_endOfWordSuffix = optionalString(spec, "end_of_word_suffix", place);
    m_fuseUnknown = boolOr(spec, "fuse_unk", false, place);
    m_byteFallback = boolOr(spec, "byte_fallback", false, place);
    m_ignoreMerges = boolOr(spec, "ignore_merges", false, place);

    const JsonPlace vocabPlace = place.child("vocab");
    const Json& vocab = requireObject(requireMember(spec, "vocab", place), vocabPlace);
    m_vocab.reserve(vocab.size());
    int64_t largestId = -1;
    for (auto it = vocab.begin(); it != vocab.end(); ++it) {
        if (!it.value().is_number_integer() || it.value().get<int64_t>() < 0
            || it.value().get<int64_t>() >= kLargestSupportedId)
            throwBadField(vocabPlace, "token '" + it.key() + "' needs a non-negative integer id below 2^26");
        const int64_t id = it.value().get<int64_t>();
        m_vocab.emplace(it.key(), static_cast<int32_t>(id));
        largestId = std::max(largestId, id);
    }
    m_tokenOfId.assign(static_cast<size_t>(largestId + 1), nullptr);
    for (const auto& [token, id] : m_vocab)
        if (m_tokenOfId[static_cast<size_t>(id)] == nullptr || token < *m_tokenOfId[static_cast<size_t>(id)])
            m_tokenOfId[static_cast<size_t>(id)] = &token;

    readMerges(requireArray(spec, "merges", place), place.child("merges"));
}

void BpeModel::readMerges(const Json& merges, const JsonPlace& place)
{
    const size_t prefixLength = m_continuingSubwordPrefix ? m_continuingSubwordPrefix->size() : 0;
    m_merges.reserve(merges.size() * 2);
    for (size_t rank = 0; rank < merges.size(); ++rank) {
        const Json& merge = merges[rank];
        std::string left;
        std::string right;
        if (merge.is_string()) {
            const std::string line = merge.get<std::string>();
            const size_t space = line.find(' ');
            if (space == std::string::npos || line.find(' ', space + 1) != std::string::npos)
                throwBadField(place.element(rank), "expected two tokens separated by one space, got '" + line + "'");
            left = line.substr(0, space);
            right = line.substr(space + 1);
        } else if (merge.is_array() && merge.size() == 2 && merge[0].is_string() && merge[1].is_string()) {
            left = merge[0].get<std::string>();
            right = merge[1].get<std::string>();
        } else {
            throwBadField(place.element(rank), "expected \"left right\" or [left, right]");
        }
        const std::string merged = left + (right.size() >= prefixLength ? right.substr(prefixLength) : std::string());
        for (const std::string& token : {left, right, merged})
            if (m_vocab.find(token) == m_vocab.end())
                throwBadField(place.element(rank), "token '" + token + "' is not in the vocabulary");
        m_merges[pairKey(m_vocab.at(left), m_vocab.at(right))] = Merge{static_cast<uint32_t>(rank), m_vocab.at(merged)};
    }
}

std::optional<int64_t> BpeModel::tokenToId(std::string_view token) const
{
    const auto it = m_vocab.find(std::string(token));
    if (it == m_vocab.end())
        return std::nullopt;
    return it->second;
}

const std::string* BpeModel::idToToken(int64_t id) const
{
    if (id < 0 || static_cast<size_t>(id) >= m_tokenOfId.size())
        return nullptr;
    return m_tokenOfId[static_cast<size_t>(id)];
}

void BpeModel::tokenize(const std::string& word, std::vector<int64_t>& ids) const
{
    if (word.empty())
        return;
    if (m_ignoreMerges) {
        const auto whole = m_vocab.find(word);
        if (whole != m_vocab.end()) {
            ids.push_back(whole->second);
            return;
        }
    }
    {
        // Like Hugging Face's cache, never wait for it: a busy cache is simply skipped.
        std::unique_lock<std::mutex> lock(m_cacheMutex, std::try_to_lock);
        if (lock.owns_lock()) {
            const auto hit = m_cache.find(word);
            if (hit != m_cache.end()) {
                ids.insert(ids.end(), hit->second.begin(), hit->second.end());
                return;
            }
        }
    }
    std::vector<int32_t> merged = mergeWord(word);
    ids.insert(ids.end(), merged.begin(), merged.end());
    if (word.size() >= kLongestCachedWord)
        return;
    std::unique_lock<std::mutex> lock(m_cacheMutex, std::try_to_lock);
    if (!lock.owns_lock())
        return;
    if (m_cache.size() >= kCacheCapacity)
        m_cache.clear();
    m_cache.emplace(word, std::move(merged));
}

std::vector<int32_t> BpeModel::mergeWord(const std::string& word) const
{
    std::vector<int32_t> symbols;
    std::vector<size_t> lengths;
    symbols.reserve(word.size());
    lengths.reserve(word.size());
    std::optional<std::pair<int32_t, size_t>> pendingUnknown;
    size_t pos = 0;
    while (pos < word.size()) {
        const size_t start = pos;
        pos += std::min(utf8SequenceLength(static_cast<unsigned char>(word[pos])), word.size() - pos);
        addSymbolsOfCharacter(std::string_view(word).substr(start, pos - start), start == 0, pos == word.size(), symbols,
                              lengths, pendingUnknown);
    }
    if (pendingUnknown) {
        symbols.push_back(pendingUnknown->first);
        lengths.push_back(pendingUnknown->second);
    }
    applyMerges(symbols, lengths);
    return symbols;
}

void BpeModel::addSymbolsOfCharacter(std::string_view character, bool isFirst, bool isLast,
                                     std::vector<int32_t>& symbols, std::vector<size_t>& lengths,
                                     std::optional<std::pair<int32_t, size_t>>& pendingUnknown) const
{
    std::string symbol;
    if (!isFirst && m_continuingSubwordPrefix)
        symbol = *m_continuingSubwordPrefix;
    symbol += character;
    if (isLast && m_endOfWordSuffix)
        symbol += *m_endOfWordSuffix;

    const auto known = m_vocab.find(symbol);
    if (known != m_vocab.end()) {
        if (pendingUnknown) {
            symbols.push_back(pendingUnknown->first);
            lengths.push_back(pendingUnknown->second);
            pendingUnknown.reset();
        }
        symbols.push_back(known->second);
        lengths.push_back(character.size());
        return;
    }
    if (m_byteFallback) {
        std::vector<int32_t> byteIds;
        for (const char byte : symbol) {
            char name[8];
            std::snprintf(name, sizeof name, "<0x%02X>", static_cast<unsigned char>(byte));
            const auto it = m_vocab.find(name);
            if (it == m_vocab.end())
                break;
            byteIds.push_back(it->second);
        }
        // Hugging Face adds byte tokens without flushing a pending unknown token first.
        if (byteIds.size() == symbol.size()) {
            for (const int32_t id : byteIds) {
                symbols.push_back(id);
                lengths.push_back(1);
            }
            return;
        }
    }
    if (!m_unknownToken)
        return; // Hugging Face drops a character it can represent in no way
    if (pendingUnknown && m_fuseUnknown) {
        pendingUnknown->second += character.size();
        return;
    }
    if (pendingUnknown) {
        symbols.push_back(pendingUnknown->first);
        lengths.push_back(pendingUnknown->second);
    }
    const auto unknown = m_vocab.find(*m_unknownToken);
    if (unknown == m_vocab.end())
        throw EngineError(m_file, "model.unk_token '" + *m_unknownToken + "' is not in the vocabulary");
    pendingUnknown = std::make_pair(unknown->second, character.size());
}

void BpeModel::applyMerges(std::vector<int32_t>& symbols, std::vector<size_t>& lengths) const
{
    if (symbols.size() < 2)
        return;
    // Hugging Face's Word::merge_all: a heap ordered by (rank, position); entries made stale by an
    // earlier merge are recognised by the id the pair would now produce.
    struct Candidate {
        uint32_t rank;
        size_t position;
        int32_t newId;
        bool operator>(const Candidate& other) const
        {
            return rank != other.rank ? rank > other.rank : position > other.position;
        }
    };
    const size_t count = symbols.size();
    std::vector<ptrdiff_t> previous(count);
    std::vector<ptrdiff_t> next(count);
    for (size_t i = 0; i < count; ++i) {
        previous[i] = static_cast<ptrdiff_t>(i) - 1;
        next[i] = i + 1 < count ? static_cast<ptrdiff_t>(i + 1) : -1;
    }
    std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> queue;
    const auto findMerge = [&](int32_t left, int32_t right) -> const Merge* {
        const auto it = m_merges.find(pairKey(left, right));
        return it == m_merges.end() ? nullptr : &it->second;
    };
    for (size_t i = 0; i + 1 < count; ++i)
        if (const Merge* merge = findMerge(symbols[i], symbols[i + 1]))
            queue.push({merge->rank, i, merge->newId});

    while (!queue.empty()) {
        const Candidate top = queue.top();
        queue.pop();
        if (lengths[top.position] == 0 || next[top.position] == -1)
            continue;
        const auto right = static_cast<size_t>(next[top.position]);
        const Merge* current = findMerge(symbols[top.position], symbols[right]);
        if (current == nullptr || current->newId != top.newId)
            continue;
        symbols[top.position] = top.newId;
        lengths[top.position] += lengths[right];
        lengths[right] = 0;
        next[top.position] = next[right];
        if (next[right] != -1)
            previous[static_cast<size_t>(next[right])] = static_cast<ptrdiff_t>(top.position);
        if (previous[top.position] >= 0) {
            const auto left = static_cast<size_t>(previous[top.position]);
            if (const Merge* merge = findMerge(symbols[left], symbols[top.position]))
                queue.push({merge->rank, left, merge->newId});
        }
        if (next[top.position] != -1) {
            const auto after = static_cast<size_t>(next[top.position]);
            if (const Merge* merge = findMerge(symbols[top.position], symbols[after]))
                queue.push({merge->rank, top.position, merge->newId});
        }
    }
    size_t kept = 0;
    for (size_t i = 0; i < count; ++i) {
        if (lengths[i] == 0)
            continue;
        symbols[kept] = symbols[i];
        lengths[kept] = lengths[i];
        ++kept;
    }
    symbols.resize(kept);
    lengths.resize(kept);
}

} // namespace ckptlab::engine::tokenizer
