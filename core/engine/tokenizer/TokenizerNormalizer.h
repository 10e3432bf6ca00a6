#pragma once

// tokenizer.json "normalizer": NFC/NFD/NFKC/NFKD, Lowercase, Strip, StripAccents, Replace,
// Prepend and Sequence, with the semantics of the Hugging Face tokenizers library.

#include "engine/tokenizer/TokenizerJson.h"
#include "engine/tokenizer/TokenizerSplit.h"

#include <memory>

namespace ckptlab::engine::tokenizer {

class Normalizer {
public:
    virtual ~Normalizer() = default;
    // Rewrites the piece's text; clears startsInput when the text no longer begins with the
    // input's first character (Hugging Face tracks this through its offset alignments).
    virtual void normalize(TextPiece& piece) const = 0;

    std::string normalizeText(std::string_view text) const;
};

// Throws EngineError naming the file and the field for an unknown or malformed normalizer.
std::unique_ptr<Normalizer> makeNormalizer(const Json& spec, const JsonPlace& place);

} // namespace ckptlab::engine::tokenizer
