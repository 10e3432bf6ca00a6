#pragma once

// Parsing and validating a safetensors header: the 8-byte little-endian length, the JSON that
// follows it, and every tensor's place in the data area. Standard library + nlohmann only (no
// torch), so a folder scan can read 150 checkpoints' headers without loading a weight.
//
// Layout: [u64 N][N bytes of JSON][data area]. Every rejection is an EngineError naming the
// file, the tensor (where one is at fault) and the rule broken. Rules beyond the obvious:
// - the header may be any length (it need not pad the data area to 8 bytes);
// - like the reference implementation, the tensors must cover the data area exactly: no
//   overlaps, no bytes that belong to no tensor, nothing after the last tensor;
// - `__metadata__`, when present, is an object of strings; names (and fields) are unique;
// - unknown fields inside a tensor entry are ignored, unknown dtypes are an error.

#include "engine/safetensors/DType.h"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ckptlab::engine {

// The reference implementation's cap: a larger header is far more likely an attack or
// corruption than a model.
constexpr std::uint64_t kMaxSafetensorsHeaderSize = 100'000'000;

struct TensorEntry {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::uint64_t begin = 0;   // byte offsets inside the data area, end exclusive
    std::uint64_t end = 0;

    std::int64_t numel() const;
    std::uint64_t byteSize() const { return end - begin; }
};

struct SafetensorsHeader {
    std::uint64_t headerSize = 0;              // N, the JSON's length
    std::uint64_t dataOffset = 0;              // 8 + N: where the data area starts in the file
    std::vector<TensorEntry> tensors;          // sorted by begin
    std::map<std::string, std::string> metadata;

    const TensorEntry* find(std::string_view name) const;
};

// Validates the header in `bytes` (which must hold at least the 8 + N header bytes) against a
// file of `fileSize` bytes; `file` names the file in error messages. Throws EngineError.
SafetensorsHeader parseSafetensorsHeader(const std::uint8_t* bytes, std::size_t available, std::uint64_t fileSize,
                                         const std::string& file);

// Reads only the 8 + N header bytes from disk and validates them. Throws EngineError.
SafetensorsHeader readSafetensorsHeader(const std::string& path);

} // namespace ckptlab::engine
