#include "engine/safetensors/SafetensorsFile.h"

#include "engine/EngineError.h"
#include "engine/safetensors/SafetensorsJson.h"
#include "engine/safetensors/SafetensorsPosixIO.h"
#include "engine/safetensors/SafetensorsTorch.h"

#include <cstring>

// safetensors stores little-endian data, which the zero-copy views hand to torch as is.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors reading assumes a little-endian machine");

namespace ckptlab::engine {

namespace {

// torch's bool is a byte that must be 0 or 1; any other value would make later arithmetic
// on the tensor undefined, so a hostile file must not get one through.
void checkBoolBytes(const std::uint8_t* bytes, std::uint64_t count, const std::string& path, const std::string& name)
{
    for (std::uint64_t i = 0; i < count; ++i) {
        if (bytes[i] > 1)
            throw EngineError(path, "tensor " + quotedName(name) + ": BOOL element " + std::to_string(i) +
                                        " holds byte value " + std::to_string(bytes[i]) + " (must be 0 or 1)");
    }
}

} // namespace

std::shared_ptr<SafetensorsFile> SafetensorsFile::open(const std::string& path)
{
    std::shared_ptr<MappedFile> mapping = MappedFile::map(path);
    SafetensorsHeader header = parseSafetensorsHeader(mapping->data(), mapping->size(), mapping->size(), path);
    return std::shared_ptr<SafetensorsFile>(new SafetensorsFile(path, std::move(mapping), std::move(header)));
}

SafetensorsFile::SafetensorsFile(std::string path, std::shared_ptr<MappedFile> mapping, SafetensorsHeader header)
    : m_path(std::move(path))
    , m_mapping(std::move(mapping))
    , m_header(std::move(header))
{
    for (std::size_t i = 0; i < m_header.tensors.size(); ++i)
        m_index.emplace(m_header.tensors[i].name, i);
}

const std::uint8_t* SafetensorsFile::mappedData() const
{
    return m_mapping->data();
}

std::size_t SafetensorsFile::mappedSize() const
{
    return m_mapping->size();
}

bool SafetensorsFile::contains(const std::string& name) const
{
    return m_index.count(name) > 0;
}

torch::Tensor SafetensorsFile::get(const std::string& name) const
{
    const auto found = m_index.find(name);
    if (found == m_index.end())
        throw EngineError(m_path, "tensor " + quotedName(name) + " is not in this file");
    const TensorEntry& entry = m_header.tensors[found->second];
    const auto options = torch::TensorOptions().dtype(toScalarType(entry.dtype)).device(torch::kCPU);
    if (entry.byteSize() == 0)
        return torch::empty(entry.shape, options);

    std::uint8_t* bytes = m_mapping->data() + m_header.dataOffset + entry.begin;
    if (entry.dtype == DType::BOOL)
        checkBoolBytes(bytes, entry.byteSize(), m_path, name);
    if (reinterpret_cast<std::uintptr_t>(bytes) % dtypeSize(entry.dtype) == 0) {
        // The deleter owns a reference to the mapping, so the view outlives this object safely.
        return torch::from_blob(bytes, entry.shape, [keepAlive = m_mapping](void*) {}, options);
    }
    torch::Tensor copy = torch::empty(entry.shape, options);
    std::memcpy(copy.data_ptr(), bytes, entry.byteSize());
    return copy;
}

std::vector<std::string> SafetensorsFile::names() const
{
    std::vector<std::string> result;
    result.reserve(m_header.tensors.size());
    for (const TensorEntry& entry : m_header.tensors)
        result.push_back(entry.name);
    return result;
}

} // namespace ckptlab::engine
