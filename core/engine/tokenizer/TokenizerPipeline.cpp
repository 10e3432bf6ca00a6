#include "engine/tokenizer/TokenizerPipeline.h"

#include "engine/tokenizer/TokenizerUnicode.h"

#include <algorithm>

namespace ckptlab::engine::tokenizer {

EncodedTokens TokenizerPipeline::encode(std::string_view text, bool addSpecialTokens, bool withTokens) const
{
    EncodedTokens encoded;
    encoded.withTokens = withTokens;
    TextPieces pieces;
    if (!text.empty()) {
        TextPiece whole;
        whole.text = isValidUtf8(text) ? std::string(text) : utf8Lossy(text);
        whole.startsInput = true;
        pieces.push_back(std::move(whole));
    }

    addedVocabulary.extractRawTokens(pieces);
    if (normalizer) {
        for (TextPiece& piece : pieces)
            if (!piece.isAddedToken())
                normalizer->normalize(piece);
        pieces.erase(std::remove_if(pieces.begin(), pieces.end(), [](const TextPiece& p) { return p.text.empty(); }),
                     pieces.end());
    }
    addedVocabulary.extractNormalizedTokens(pieces);
    if (preTokenizer)
        preTokenizer->preTokenize(pieces);

    encoded.ids.reserve(text.size() / 3 + 4);
    for (const TextPiece& piece : pieces) {
        if (piece.isAddedToken()) {
            encoded.push(piece.addedTokenId, piece.text);
            continue;
        }
        const size_t before = encoded.ids.size();
        model->tokenize(piece.text, encoded.ids);
        if (withTokens)
            for (size_t i = before; i < encoded.ids.size(); ++i)
                encoded.tokens.push_back(*model->idToToken(encoded.ids[i]));
    }

    if (truncation)
        truncate(encoded, *truncation, addSpecialTokens && postProcessor ? postProcessor->addedTokenCount() : 0, file);
    if (postProcessor)
        postProcessor->process(encoded, addSpecialTokens);
    if (padding)
        pad(encoded, *padding);
    return encoded;
}

std::string TokenizerPipeline::decode(const std::vector<int64_t>& ids, bool skipSpecialTokens) const
{
    std::vector<std::string> tokens;
    tokens.reserve(ids.size());
    for (const int64_t id : ids) {
        const std::string* token = idToToken(id);
        if (token == nullptr)
            continue;
        if (skipSpecialTokens && addedVocabulary.isSpecial(*token))
            continue;
        tokens.push_back(*token);
    }
    if (decoder)
        return decoder->decode(std::move(tokens));
    std::string joined;
    for (size_t i = 0; i < tokens.size(); ++i) {
        if (i > 0)
            joined += ' ';
        joined += tokens[i];
    }
    return joined;
}

std::optional<int64_t> TokenizerPipeline::tokenToId(std::string_view token) const
{
    if (const auto added = addedVocabulary.tokenToId(token))
        return added;
    return model->tokenToId(token);
}

const std::string* TokenizerPipeline::idToToken(int64_t id) const
{
    if (const AddedToken* added = addedVocabulary.tokenOfId(id))
        return &added->decodedForm();
    return model->idToToken(id);
}

} // namespace ckptlab::engine::tokenizer
