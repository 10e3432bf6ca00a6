#pragma once

// Per-example text metrics for generation. Standard library only.
//
// ROUGE-L follows Google's rouge-score package (rouge_scorer with use_stemmer=False): both
// texts are lowercased, every run of characters outside [a-z0-9] separates tokens (so
// punctuation and non-ASCII letters vanish), precision = LCS / prediction tokens, recall =
// LCS / reference tokens, F = 2PR / (P + R) (beta 1), and 0 when either side has no tokens.
//
// Exact match and token F1 follow the SQuAD evaluation script: lowercase, drop ASCII
// punctuation, drop the articles a/an/the, split on whitespace; F1 over the multiset of
// tokens, 1 when both sides are empty and 0 when only one is.

#include <string>
#include <string_view>
#include <vector>

namespace ckptlab::engine {

struct PrecisionRecallF {
    double precision = 0.0;
    double recall = 0.0;
    double f = 0.0;
};

// rouge-score's tokenizer (without stemming).
std::vector<std::string> rougeTokens(std::string_view text);
PrecisionRecallF rougeL(std::string_view reference, std::string_view prediction);

// The SQuAD answer normalisation, as a string and as tokens.
std::string squadNormalize(std::string_view text);
std::vector<std::string> squadTokens(std::string_view text);

double exactMatch(std::string_view reference, std::string_view prediction); // 1 or 0
double tokenF1(std::string_view reference, std::string_view prediction);

} // namespace ckptlab::engine
