#pragma once

// The text pieces that flow through the tokenizer (Hugging Face's "splits") and the rules that
// cut a piece at pattern matches (Hugging Face's SplitDelimiterBehavior).

#include "engine/tokenizer/TokenizerRegex.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ckptlab::engine::tokenizer {

struct TextPiece {
    std::string text;
    // Set once the piece is an added token: later steps leave it alone and the model never sees it.
    int64_t addedTokenId = -1;
    // The piece begins where the input began (what Metaspace's prepend_scheme "first" asks).
    bool startsInput = false;

    bool isAddedToken() const { return addedTokenId >= 0; }
};
using TextPieces = std::vector<TextPiece>;

enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };
std::optional<SplitBehavior> splitBehaviorFromName(std::string_view name);

struct MarkedSpan {
    size_t start = 0;
    size_t end = 0;
    bool isMatch = false;
};
using MarkedSpans = std::vector<MarkedSpan>;

// Spans that cover the text, matches and the gaps between them.
void spansFromMatches(size_t textSize, const std::vector<MatchSpan>& matches, MarkedSpans& out);
// Spans that cover the text, each character for which the predicate holds being its own match.
void spansFromPredicate(std::string_view text, bool (*predicate)(char32_t), MarkedSpans& out);
void invertSpans(MarkedSpans& spans);
// The non-empty ranges the behaviour keeps, in order.
void applySplitBehavior(const MarkedSpans& spans, SplitBehavior behavior, std::vector<MatchSpan>& kept);

// Replaces every piece that is not an added token by the pieces `cut(text, ranges)` marks out.
template <typename Cut>
void splitEachPiece(TextPieces& pieces, Cut&& cut)
{
    TextPieces result;
    result.reserve(pieces.size() * 2);
    std::vector<MatchSpan> ranges;
    for (TextPiece& piece : pieces) {
        if (piece.isAddedToken()) {
            result.push_back(std::move(piece));
            continue;
        }
        ranges.clear();
        cut(std::string_view(piece.text), ranges);
        for (const MatchSpan& range : ranges) {
            if (range.end <= range.start)
                continue;
            TextPiece part;
            part.text.assign(piece.text, range.start, range.end - range.start);
            part.startsInput = piece.startsInput && range.start == 0;
            result.push_back(std::move(part));
        }
    }
    pieces = std::move(result);
}

} // namespace ckptlab::engine::tokenizer
