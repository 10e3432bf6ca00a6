// libFuzzer target for the safetensors header parser: any byte string must either parse into a
// header whose invariants hold or be rejected with an EngineError; nothing else may happen.

#include "engine/EngineError.h"
#include "engine/safetensors/SafetensorsHeader.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <vector>

using namespace ckptlab::engine;

namespace {

// What every accepted header promises its users; a violation is a parser bug.
void checkInvariants(const SafetensorsHeader& header, std::uint64_t fileSize)
{
    if (header.dataOffset != 8 + header.headerSize || header.dataOffset > fileSize)
        std::abort();
    std::uint64_t covered = 0;
    for (const TensorEntry& tensor : header.tensors) {
        if (tensor.begin != covered || tensor.end < tensor.begin || tensor.end > fileSize - header.dataOffset)
            std::abort();
        if (static_cast<std::uint64_t>(tensor.numel()) * dtypeSize(tensor.dtype) != tensor.byteSize())
            std::abort();
        if (header.find(tensor.name) == nullptr)
            std::abort();
        covered = tensor.end;
    }
    if (covered != fileSize - header.dataOffset)
        std::abort();
}

void parseExpectingOnlyEngineErrors(const std::uint8_t* bytes, std::size_t size)
{
    try {
        checkInvariants(parseSafetensorsHeader(bytes, size, size, "fuzz-input"), size);
    } catch (const EngineError&) {
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    // The input as a whole file...
    parseExpectingOnlyEngineErrors(data, size);
    // ...and as the JSON of a file with an empty data area, so mutations of the text are not
    // all stopped by a length prefix that no longer matches.
    std::vector<std::uint8_t> file(8 + size);
    for (int i = 0; i < 8; ++i)
        file[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(size) >> (8 * i));
    std::copy(data, data + size, file.begin() + 8);
    parseExpectingOnlyEngineErrors(file.data(), file.size());
    return 0;
}
