#pragma once

// What happens to the ids after the model: tokenizer.json "post_processor" (TemplateProcessing,
// BertProcessing, RobertaProcessing, ByteLevel, Sequence), "truncation" and "padding", for one
// sequence as encode() produces.

#include "engine/tokenizer/TokenizerJson.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ckptlab::engine::tokenizer {

struct EncodedTokens {
    std::vector<int64_t> ids;
    std::vector<std::string> tokens; // filled only when asked for
    bool withTokens = false;

    void push(int64_t id, const std::string& token)
    {
        ids.push_back(id);
        if (withTokens)
            tokens.push_back(token);
    }
};

class PostProcessor {
public:
    virtual ~PostProcessor() = default;
    virtual void process(EncodedTokens& encoded, bool addSpecialTokens) const = 0;
    // How many ids process() adds to one sequence with special tokens on (truncation leaves room).
    virtual size_t addedTokenCount() const = 0;
};

// Throws EngineError naming the file and the field for an unknown or malformed post-processor.
std::unique_ptr<PostProcessor> makePostProcessor(const Json& spec, const JsonPlace& place);

struct TruncationParams {
    size_t maxLength = 0;
    bool fromLeft = false;
};
std::optional<TruncationParams> readTruncation(const Json& spec, const JsonPlace& place);
// Throws EngineError when max_length leaves no room for the special tokens.
void truncate(EncodedTokens& encoded, const TruncationParams& params, size_t reserved, const std::string& file);

struct PaddingParams {
    std::optional<size_t> fixedLength; // none: BatchLongest, a no-op for one sequence
    std::optional<size_t> multipleOf;
    bool onLeft = false;
    int64_t padId = 0;
    std::string padToken;
};
std::optional<PaddingParams> readPadding(const Json& spec, const JsonPlace& place);
void pad(EncodedTokens& encoded, const PaddingParams& params);

} // namespace ckptlab::engine::tokenizer
