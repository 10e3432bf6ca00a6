#pragma once

// tokenizer.json "pre_tokenizer": ByteLevel, Split, Digits, Metaspace, Whitespace,
// WhitespaceSplit, Punctuation and Sequence, with the semantics of the Hugging Face library.

#include "engine/tokenizer/TokenizerJson.h"
#include "engine/tokenizer/TokenizerSplit.h"

#include <memory>

namespace ckptlab::engine::tokenizer {

class PreTokenizer {
public:
    virtual ~PreTokenizer() = default;
    // Cuts (and for some kinds rewrites) every piece that is not an added token.
    virtual void preTokenize(TextPieces& pieces) const = 0;
};

// Throws EngineError naming the file and the field for an unknown or malformed pre-tokenizer.
std::unique_ptr<PreTokenizer> makePreTokenizer(const Json& spec, const JsonPlace& place);

// Metaspace's prepend_scheme, shared with the Metaspace decoder.
enum class PrependScheme { Always, First, Never };
PrependScheme readPrependScheme(const Json& spec, const JsonPlace& place);

} // namespace ckptlab::engine::tokenizer
