#pragma once

// A Hugging Face tokenizer (tokenizer.json, plus tokenizer_config.json when present) that gives the
// same ids and the same decoded text as the Hugging Face `tokenizers` library. Standard library
// types only; no Qt, no torch. A Tokenizer is cheap to copy and safe to use from several threads.
//
// Features the file uses that ckptlab lacks (a WordPiece model, a BertNormalizer, BPE dropout, ...)
// make fromFile() throw an EngineError naming the file and the feature: never a silent difference.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ckptlab::engine {

namespace tokenizer {
struct TokenizerPipeline;
}

class Tokenizer {
public:
    // A tokenizer.json, or a folder holding tokenizer.json (and perhaps tokenizer_config.json).
    // Throws EngineError(file, detail).
    static Tokenizer fromFile(const std::string& tokenizerJsonOrDir);
    // The same from JSON text; `sourceName` is the file that error messages name.
    static Tokenizer fromJsonText(std::string_view tokenizerJson, std::string_view tokenizerConfigJson = {},
                                  const std::string& sourceName = "tokenizer.json");

    // Text that is not valid UTF-8 is read with each invalid sequence as U+FFFD.
    std::vector<int64_t> encode(std::string_view text, bool addSpecialTokens = false) const;

    struct Encoding {
        std::vector<int64_t> ids;
        std::vector<std::string> tokens; // as Hugging Face's Encoding.tokens
    };
    Encoding encodeWithTokens(std::string_view text, bool addSpecialTokens = false) const;

    // Unknown ids are skipped, as Hugging Face does.
    std::string decode(const std::vector<int64_t>& ids, bool skipSpecialTokens = false) const;

    std::optional<int64_t> tokenToId(std::string_view token) const;
    // For an added token with normalized=true, the normalizer's form of it (what decode() uses).
    std::optional<std::string> idToToken(int64_t id) const;

    // From tokenizer_config.json (bos_token, eos_token, pad_token); without that file, from the
    // special added tokens with the usual names (<s>, </s>, <|endoftext|>, <pad>, ...).
    std::optional<int64_t> bosId() const;
    std::optional<int64_t> eosId() const;
    std::optional<int64_t> padId() const;

    // Distinct tokens, added tokens included (Hugging Face's get_vocab_size(true)).
    size_t vocabSize() const;

private:
    explicit Tokenizer(std::shared_ptr<const tokenizer::TokenizerPipeline> pipeline);
    std::shared_ptr<const tokenizer::TokenizerPipeline> m_pipeline;
};

} // namespace ckptlab::engine
