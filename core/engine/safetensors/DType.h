#pragma once

// The element types a safetensors file may hold and ckptlab can load. Standard library only.

#include <cstddef>
#include <optional>
#include <string_view>

namespace ckptlab::engine {

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL };

// "F32" -> DType::F32; nullopt for names ckptlab does not load (F8_E4M3, U16, C64, ...).
std::optional<DType> dtypeFromName(std::string_view name);
const char* dtypeName(DType dtype);
std::size_t dtypeSize(DType dtype);   // bytes per element

} // namespace ckptlab::engine
