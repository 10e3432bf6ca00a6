#pragma once

// A byte-level BPE tokenizer learnt from the demo corpus and written as a Hugging Face
// tokenizer.json (GPT-2 style: ByteLevel pre-tokenizer and decoder, ids 0-255 the bytes,
// then the merges in the order learnt, then "<|endoftext|>"), loadable by engine::Tokenizer
// and by the Hugging Face `tokenizers` library. Deterministic: the same text gives the same
// file. Standard library only.

#include <string>
#include <vector>

namespace ckptlab::engine {

inline constexpr const char* kDemoEndOfText = "<|endoftext|>";

// Merges, each the byte-level text of its left and right token, most frequent pair first
// (ties: the smaller pair of texts), until the vocabulary (256 bytes + merges +
// "<|endoftext|>") has vocabSize tokens or no pair occurs twice.
std::vector<std::pair<std::string, std::string>> learnByteLevelMerges(const std::vector<std::string>& documents,
                                                                       int vocabSize);

// The tokenizer.json text for those merges.
std::string byteLevelBpeTokenizerJson(const std::vector<std::pair<std::string, std::string>>& merges);

// tokenizer_config.json naming "<|endoftext|>" as the begin, end and unknown token, for
// Hugging Face's AutoTokenizer.
std::string demoTokenizerConfigJson(int modelMaxLength);

} // namespace ckptlab::engine
