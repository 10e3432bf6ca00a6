#pragma once

// Everything a loaded tokenizer.json holds, and the encode/decode passes through it in the order
// of the Hugging Face library: added tokens, normalizer, pre-tokenizer, model, post-processing.

#include "engine/tokenizer/TokenizerAddedVocabulary.h"
#include "engine/tokenizer/TokenizerBpe.h"
#include "engine/tokenizer/TokenizerDecoder.h"
#include "engine/tokenizer/TokenizerNormalizer.h"
#include "engine/tokenizer/TokenizerPostProcessor.h"
#include "engine/tokenizer/TokenizerPreTokenizer.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ckptlab::engine::tokenizer {

struct TokenizerPipeline {
    std::string file;
    std::unique_ptr<Normalizer> normalizer;
    std::unique_ptr<PreTokenizer> preTokenizer;
    std::unique_ptr<BpeModel> model;
    std::unique_ptr<PostProcessor> postProcessor;
    std::unique_ptr<TokenDecoder> decoder;
    AddedVocabulary addedVocabulary;
    std::optional<TruncationParams> truncation;
    std::optional<PaddingParams> padding;
    std::optional<int64_t> bosId;
    std::optional<int64_t> eosId;
    std::optional<int64_t> padId;
    size_t vocabSize = 0;

    EncodedTokens encode(std::string_view text, bool addSpecialTokens, bool withTokens) const;
    std::string decode(const std::vector<int64_t>& ids, bool skipSpecialTokens) const;
    std::optional<int64_t> tokenToId(std::string_view token) const;
    const std::string* idToToken(int64_t id) const;
};

// Builds the pipeline from tokenizer.json (and tokenizer_config.json, null when absent).
// Throws EngineError naming `file` (or `configFile`) and what is wrong or unsupported.
std::shared_ptr<const TokenizerPipeline> loadTokenizerPipeline(const Json& tokenizerJson, const std::string& file,
                                                               const Json& configJson, const std::string& configFile);

} // namespace ckptlab::engine::tokenizer
