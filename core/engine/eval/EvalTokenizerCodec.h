#pragma once

// The engine's Tokenizer as the evaluator's TextCodec: encode without special tokens, decode
// keeping them (generation stops at EOS before it would be decoded). Standard library only.

#include "engine/eval/EvalTypes.h"
#include "engine/tokenizer/Tokenizer.h"

namespace ckptlab::engine {

class TokenizerCodec : public TextCodec {
public:
    explicit TokenizerCodec(Tokenizer tokenizer)
        : m_tokenizer(std::move(tokenizer))
    {
    }

    std::vector<int64_t> encode(std::string_view text) const override { return m_tokenizer.encode(text, false); }
    std::string decode(const std::vector<int64_t>& ids) const override { return m_tokenizer.decode(ids, false); }
    std::optional<int64_t> eosId() const override { return m_tokenizer.eosId(); }

    const Tokenizer& tokenizer() const { return m_tokenizer; }

private:
    Tokenizer m_tokenizer;
};

} // namespace ckptlab::engine
