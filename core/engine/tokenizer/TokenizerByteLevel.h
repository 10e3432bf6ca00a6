#pragma once

// GPT-2's byte-level alphabet: every byte is shown as a printable character so that BPE works on
// text; printable Latin-1 bytes stand for themselves, the others map to U+0100 upward in order.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace ckptlab::engine::tokenizer {

// The UTF-8 of the character each byte maps to.
const std::array<std::string, 256>& byteLevelCharacters();

// Appends the byte-level form of every byte of `bytes`.
void appendByteLevel(std::string& out, std::string_view bytes);

// The byte a byte-level character stands for, or -1 for a character outside the alphabet.
int byteOfByteLevelCharacter(char32_t c);

} // namespace ckptlab::engine::tokenizer
