#pragma once

// UTF-8 and Unicode helpers for the tokenizer, with the character classes of the Rust functions
// the Hugging Face tokenizers library calls (char::is_whitespace, char::is_alphanumeric, ...).
// Properties and normalisation come from ICU; nothing here is a hand-made table.

#include <cstddef>
#include <string>
#include <string_view>

namespace ckptlab::engine::tokenizer {

// Decodes the code point at text[pos] of valid UTF-8 and advances pos past it.
char32_t nextCodePoint(std::string_view text, size_t& pos);
// Byte length of the UTF-8 sequence that starts with this lead byte (1 for a stray byte).
size_t utf8SequenceLength(unsigned char leadByte);
void appendUtf8(std::string& out, char32_t codePoint);
size_t countCodePoints(std::string_view text);

bool isValidUtf8(std::string_view bytes);
// Replaces each invalid sequence with U+FFFD exactly as Rust's String::from_utf8_lossy does
// (one replacement per maximal invalid subpart).
std::string utf8Lossy(std::string_view bytes);

bool isWhitespace(char32_t c);     // Unicode White_Space (Rust char::is_whitespace)
bool isNumeric(char32_t c);        // Nd | Nl | No (Rust char::is_numeric)
bool isAlphanumeric(char32_t c);   // Alphabetic | Nd | Nl | No (Rust char::is_alphanumeric)
bool isPunctuation(char32_t c);    // ASCII punctuation or a P* category
bool isWordCharacter(char32_t c);  // the Rust regex crate's \w
bool isCombiningMark(char32_t c);  // Mn | Mc | Me

enum class NormalForm { NFC, NFD, NFKC, NFKD };
std::string normalizeUnicode(std::string_view text, NormalForm form);
// Lowercases code point by code point, unconditional mappings only (Rust char::to_lowercase), so
// a final sigma stays σ and İ becomes "i̇".
std::string lowercaseEachCodePoint(std::string_view text);

} // namespace ckptlab::engine::tokenizer
