#pragma once

// The regular expressions of tokenizer.json (Split, Replace, the ByteLevel pattern), run by PCRE2
// with UTF, UCP and JIT. Hugging Face compiles them with Oniguruma in its Ruby syntax; the few
// places where that syntax means something else in PCRE2 are translated (see the .cpp).

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ckptlab::engine::tokenizer {

struct MatchSpan {
    size_t start = 0;
    size_t end = 0;
};

class TokenizerRegex {
public:
    // Throws std::invalid_argument with PCRE2's message when the pattern does not compile.
    static TokenizerRegex fromOniguruma(std::string_view pattern);
    static TokenizerRegex literal(std::string_view text);
    // A pattern already in PCRE2 syntax (compiled with UTF and UCP).
    static TokenizerRegex fromPcre2(std::string_view pattern);

    // Every match in valid UTF-8 text, in the order of the onig crate's find_iter: an empty match
    // right where the previous match ended is skipped (this decides how Split merges pieces).
    void findAll(std::string_view text, std::vector<MatchSpan>& out) const;

    const std::string& pattern() const;

    struct Compiled;

private:
    explicit TokenizerRegex(std::shared_ptr<const Compiled> compiled);
    std::shared_ptr<const Compiled> m_compiled;
};

// Rewrites an Oniguruma (Ruby syntax) pattern into PCRE2 syntax with the same meaning.
std::string onigurumaToPcre2(std::string_view pattern);

} // namespace ckptlab::engine::tokenizer
