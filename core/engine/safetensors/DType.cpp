#include "engine/safetensors/DType.h"

namespace ckptlab::engine {

namespace {

struct DTypeInfo {
    DType dtype;
    const char* name;
    std::size_t size;
};

constexpr DTypeInfo kDTypes[] = {
    {DType::F64, "F64", 8}, {DType::F32, "F32", 4}, {DType::F16, "F16", 2}, {DType::BF16, "BF16", 2},
    {DType::I64, "I64", 8}, {DType::I32, "I32", 4}, {DType::I16, "I16", 2}, {DType::I8, "I8", 1},
    {DType::U8, "U8", 1},   {DType::BOOL, "BOOL", 1},
};

const DTypeInfo& info(DType dtype)
{
    return kDTypes[static_cast<int>(dtype)];
}

} // namespace

std::optional<DType> dtypeFromName(std::string_view name)
{
    for (const DTypeInfo& entry : kDTypes) {
        if (name == entry.name)
            return entry.dtype;
    }
    return std::nullopt;
}

const char* dtypeName(DType dtype)
{
    return info(dtype).name;
}

std::size_t dtypeSize(DType dtype)
{
    return info(dtype).size;
}

} // namespace ckptlab::engine
