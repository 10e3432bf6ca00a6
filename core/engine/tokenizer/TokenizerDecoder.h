#pragma once

// tokenizer.json "decoder": ByteLevel, Metaspace, ByteFallback, Fuse, Strip, Replace and Sequence,
// each rewriting the list of token strings as the Hugging Face library's decode_chain does.

#include "engine/tokenizer/TokenizerJson.h"

#include <memory>
#include <string>
#include <vector>

namespace ckptlab::engine::tokenizer {

class TokenDecoder {
public:
    virtual ~TokenDecoder() = default;
    virtual void decodeChain(std::vector<std::string>& tokens) const = 0;

    std::string decode(std::vector<std::string> tokens) const;
};

// Throws EngineError naming the file and the field for an unknown or malformed decoder.
std::unique_ptr<TokenDecoder> makeTokenDecoder(const Json& spec, const JsonPlace& place);

} // namespace ckptlab::engine::tokenizer
