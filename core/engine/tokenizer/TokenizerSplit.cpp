#include "engine/tokenizer/TokenizerSplit.h"

#include "engine/tokenizer/TokenizerUnicode.h"

#include <algorithm>
#include <cctype>

namespace ckptlab::engine::tokenizer {

std::optional<SplitBehavior> splitBehaviorFromName(std::string_view name)
{
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower == "removed")
        return SplitBehavior::Removed;
    if (lower == "isolated")
        return SplitBehavior::Isolated;
    if (lower == "mergedwithprevious" || lower == "merged_with_previous")
        return SplitBehavior::MergedWithPrevious;
    if (lower == "mergedwithnext" || lower == "merged_with_next")
        return SplitBehavior::MergedWithNext;
    if (lower == "contiguous")
        return SplitBehavior::Contiguous;
    return std::nullopt;
}

void spansFromMatches(size_t textSize, const std::vector<MatchSpan>& matches, MarkedSpans& out)
{
    out.clear();
    if (textSize == 0) {
        out.push_back({0, 0, false});
        return;
    }
    size_t previous = 0;
    for (const MatchSpan& match : matches) {
        if (previous != match.start)
            out.push_back({previous, match.start, false});
        out.push_back({match.start, match.end, true});
        previous = match.end;
    }
    if (previous != textSize)
        out.push_back({previous, textSize, false});
}

void spansFromPredicate(std::string_view text, bool (*predicate)(char32_t), MarkedSpans& out)
{
    out.clear();
    if (text.empty()) {
        out.push_back({0, 0, false});
        return;
    }
    size_t lastOffset = 0;
    size_t pos = 0;
    while (pos < text.size()) {
        const size_t start = pos;
        const char32_t c = nextCodePoint(text, pos);
        if (!predicate(c))
            continue;
        if (lastOffset < start)
            out.push_back({lastOffset, start, false});
        out.push_back({start, pos, true});
        lastOffset = pos;
    }
    if (text.size() > lastOffset)
        out.push_back({lastOffset, text.size(), false});
}

void invertSpans(MarkedSpans& spans)
{
    for (MarkedSpan& span : spans)
        span.isMatch = !span.isMatch;
}

void applySplitBehavior(const MarkedSpans& spans, SplitBehavior behavior, std::vector<MatchSpan>& kept)
{
    kept.clear();
    std::vector<MatchSpan> merged;
    bool previousMatch = false;
    switch (behavior) {
    case SplitBehavior::Isolated:
        for (const MarkedSpan& span : spans)
            merged.push_back({span.start, span.end});
        break;
    case SplitBehavior::Removed:
        for (const MarkedSpan& span : spans)
            if (!span.isMatch)
                merged.push_back({span.start, span.end});
        break;
    case SplitBehavior::Contiguous:
        for (const MarkedSpan& span : spans) {
            if (span.isMatch == previousMatch && !merged.empty())
                merged.back().end = span.end;
            else
                merged.push_back({span.start, span.end});
            previousMatch = span.isMatch;
        }
        break;
    case SplitBehavior::MergedWithPrevious:
        for (const MarkedSpan& span : spans) {
            if (span.isMatch && !previousMatch && !merged.empty())
                merged.back().end = span.end;
            else
                merged.push_back({span.start, span.end});
            previousMatch = span.isMatch;
        }
        break;
    case SplitBehavior::MergedWithNext:
        for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
            if (it->isMatch && !previousMatch && !merged.empty())
                merged.back().start = it->start;
            else
                merged.push_back({it->start, it->end});
            previousMatch = it->isMatch;
        }
        std::reverse(merged.begin(), merged.end());
        break;
    }
    for (const MatchSpan& range : merged)
        if (range.end > range.start)
            kept.push_back(range);
}

} // namespace ckptlab::engine::tokenizer
