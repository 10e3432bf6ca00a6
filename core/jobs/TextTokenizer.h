#pragma once

// A Hugging Face tokenizer (tokenizer.json) behind Qt-free-of-engine types, for callers above
// jobs (the CLI's tokenize/detokenize). Same ids and text as the engine's Tokenizer.

#include "common/Outcome.h"

#include <QString>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ckptlab {

class TextTokenizer {
public:
    // A tokenizer.json or a folder holding one; the error names the file and the problem.
    static Outcome<TextTokenizer> load(const QString& tokenizerJsonOrDir);

    std::vector<int64_t> encode(const std::string& utf8, bool addSpecialTokens) const;
    // Throws nothing: a failure comes back as an error value.
    Outcome<std::string> decode(const std::vector<int64_t>& ids, bool skipSpecialTokens) const;

private:
    struct Impl;
    std::shared_ptr<const Impl> m_impl;
};

} // namespace ckptlab
