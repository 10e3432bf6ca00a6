#include "engine/tokenizer/TokenizerByteLevel.h"

#include "engine/tokenizer/TokenizerUnicode.h"

namespace ckptlab::engine::tokenizer {

namespace {

bool standsForItself(int byte)
{
    return (byte >= 33 && byte <= 126) || (byte >= 161 && byte <= 172) || (byte >= 174 && byte <= 255);
}

struct ByteLevelTables {
    std::array<std::string, 256> characters;
    std::array<int, 324> byteOfCharacter{}; // every alphabet character is below U+0144

    ByteLevelTables()
    {
        byteOfCharacter.fill(-1);
        char32_t next = 256;
        for (int byte = 0; byte < 256; ++byte) {
            const char32_t c = standsForItself(byte) ? static_cast<char32_t>(byte) : next++;
            appendUtf8(characters[byte], c);
            byteOfCharacter[c] = byte;
        }
    }
};

const ByteLevelTables& tables()
{
    static const ByteLevelTables instance;
    return instance;
}

} // namespace

const std::array<std::string, 256>& byteLevelCharacters()
{
    return tables().characters;
}

void appendByteLevel(std::string& out, std::string_view bytes)
{
    const auto& characters = tables().characters;
    for (const char byte : bytes)
        out += characters[static_cast<unsigned char>(byte)];
}

int byteOfByteLevelCharacter(char32_t c)
{
    const auto& table = tables().byteOfCharacter;
    return c < table.size() ? table[c] : -1;
}

} // namespace ckptlab::engine::tokenizer
