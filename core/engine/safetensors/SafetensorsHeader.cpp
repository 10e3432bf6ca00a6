#include "engine/safetensors/SafetensorsHeader.h"

#include "engine/EngineError.h"
#include "engine/safetensors/SafetensorsJson.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>

namespace ckptlab::engine {

namespace {

using json = nlohmann::json;

constexpr const char* kMetadataKey = "__metadata__";
constexpr const char* kSupportedDTypes = "F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL";

std::uint64_t littleEndian64(const std::uint8_t* bytes)
{
    std::uint64_t value = 0;
    for (int i = 7; i >= 0; --i)
        value = (value << 8) | bytes[i];
    return value;
}

std::string shapeText(const std::vector<std::int64_t>& shape)
{
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}

std::string rangeText(std::uint64_t begin, std::uint64_t end)
{
    return "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
}

// Checks the length prefix against the file and returns N, the header's length.
std::uint64_t checkedHeaderSize(const std::uint8_t* bytes, std::size_t available, std::uint64_t fileSize,
                                const std::string& file)
{
    if (fileSize < 8)
        throw EngineError(file, "file is " + std::to_string(fileSize) +
                                    " bytes, too short for the 8-byte header length that starts a safetensors file");
    if (available < 8)
        throw EngineError(file, "only " + std::to_string(available) + " of the 8 header length bytes were read");
    const std::uint64_t headerSize = littleEndian64(bytes);
    if (headerSize > kMaxSafetensorsHeaderSize)
        throw EngineError(file, "header length " + std::to_string(headerSize) + " exceeds the cap of " +
                                    std::to_string(kMaxSafetensorsHeaderSize) + " bytes");
    if (headerSize > fileSize - 8)
        throw EngineError(file, "header length " + std::to_string(headerSize) + " runs past the end of the file (" +
                                    std::to_string(fileSize) + " bytes)");
    return headerSize;
}

class EntryParser {
public:
    EntryParser(const std::string& file, const std::string& name)
        : m_file(file)
        , m_name(name)
    {
    }

    [[noreturn]] void reject(const std::string& rule) const
    {
        throw EngineError(m_file, "tensor " + quotedName(m_name) + ": " + rule);
    }

    const json& field(const json& entry, const char* key) const
    {
        const auto it = entry.find(key);
        if (it == entry.end())
            reject(std::string("missing field \"") + key + "\" (every tensor needs dtype, shape and data_offsets)");
        return *it;
    }

    DType dtype(const json& value) const
    {
        if (!value.is_string())
            reject("dtype is " + jsonTypeName(value) + ", not a string");
        const auto& name = value.get_ref<const std::string&>();
        if (const auto dtype = dtypeFromName(name))
            return *dtype;
        reject("dtype " + quotedName(name) + " is not supported (supported: " + kSupportedDTypes + ")");
    }

    std::vector<std::int64_t> shape(const json& value) const
    {
        if (!value.is_array())
            reject("shape is " + jsonTypeName(value) + ", not an array of dimensions");
        std::vector<std::int64_t> dims;
        for (std::size_t i = 0; i < value.size(); ++i) {
            const json& dim = value[i];
            const std::string which = "shape dimension " + std::to_string(i);
            if (dim.is_number_unsigned()) {
                if (dim.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
                    reject(which + " is too large for a 64-bit size");
                dims.push_back(dim.get<std::int64_t>());
            } else if (dim.is_number_integer()) {
                reject(which + " is " + std::to_string(dim.get<std::int64_t>()) + ": dimensions must be non-negative");
            } else {
                reject(which + " is " + jsonTypeName(dim) + ", not an integer");
            }
        }
        return dims;
    }

    std::pair<std::uint64_t, std::uint64_t> offsets(const json& value) const
    {
        const bool wellFormed = value.is_array() && value.size() == 2 && value[0].is_number_unsigned() &&
                                value[1].is_number_unsigned();
        if (!wellFormed)
            reject("data_offsets must be two non-negative integers [begin, end], got " + printableValue(value));
        return {value[0].get<std::uint64_t>(), value[1].get<std::uint64_t>()};
    }

    // numel x element size, rejecting shapes whose byte count does not fit in 64 bits.
    std::uint64_t byteSize(const std::vector<std::int64_t>& shape, DType dtype) const
    {
        std::uint64_t bytes = dtypeSize(dtype);
        bool zero = false;
        bool overflow = false;
        for (const std::int64_t dim : shape) {
            zero = zero || dim == 0;
            const auto d = static_cast<std::uint64_t>(dim);
            if (d != 0 && bytes > std::numeric_limits<std::uint64_t>::max() / d)
                overflow = true;
            else
                bytes *= d;
        }
        // numel() must fit an int64 too; bytes >= numel, so bounding bytes bounds both.
        if (!zero && (overflow || bytes > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())))
            reject("shape " + shapeText(shape) + " has more elements than a 64-bit size can count");
        return zero ? 0 : bytes;
    }

private:
    static std::string printableValue(const json& value)
    {
        const std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
        return text.size() > 80 ? text.substr(0, 80) + "..." : text;
    }

    const std::string& m_file;
    const std::string& m_name;
};

TensorEntry parseEntry(const std::string& name, const json& entry, std::uint64_t dataSize, const std::string& file)
{
    const EntryParser parser(file, name);
    if (!entry.is_object())
        parser.reject("entry is " + jsonTypeName(entry) + ", not an object with dtype, shape and data_offsets");

    TensorEntry tensor;
    tensor.name = name;
    tensor.dtype = parser.dtype(parser.field(entry, "dtype"));
    tensor.shape = parser.shape(parser.field(entry, "shape"));
    std::tie(tensor.begin, tensor.end) = parser.offsets(parser.field(entry, "data_offsets"));

    const std::string range = "data_offsets " + rangeText(tensor.begin, tensor.end);
    if (tensor.begin > tensor.end)
        parser.reject(range + " begin after end");
    const std::uint64_t needed = parser.byteSize(tensor.shape, tensor.dtype);
    if (tensor.end - tensor.begin != needed)
        parser.reject(range + " span " + std::to_string(tensor.end - tensor.begin) + " bytes but shape " +
                      shapeText(tensor.shape) + " of " + dtypeName(tensor.dtype) + " needs " + std::to_string(needed) +
                      " (byte length must equal elements x element size)");
    if (tensor.end > dataSize)
        parser.reject(range + " end past the data area, which holds " + std::to_string(dataSize) + " bytes");
    return tensor;
}

std::map<std::string, std::string> parseMetadata(const json& value, const std::string& file)
{
    if (!value.is_object())
        throw EngineError(file, std::string(kMetadataKey) + " is " + jsonTypeName(value) + ", not an object of strings");
    std::map<std::string, std::string> metadata;
    for (const auto& [key, item] : value.items()) {
        if (!item.is_string())
            throw EngineError(file, std::string(kMetadataKey) + " value for " + quotedName(key) + " is " +
                                        jsonTypeName(item) + ", not a string");
        metadata.emplace(key, item.get<std::string>());
    }
    return metadata;
}

// The tensors, sorted by begin, must tile the data area: no overlap, no hole, nothing after.
void checkTiling(const std::vector<TensorEntry>& sorted, std::uint64_t dataSize, const std::string& file)
{
    std::uint64_t covered = 0;
    const TensorEntry* previous = nullptr;
    for (const TensorEntry& tensor : sorted) {
        const std::string prefix = "tensor " + quotedName(tensor.name) + ": data_offsets " +
                                   rangeText(tensor.begin, tensor.end);
        if (tensor.begin < covered)
            throw EngineError(file, prefix + " overlap tensor " + quotedName(previous->name) + " " +
                                        rangeText(previous->begin, previous->end) + " (ranges must not overlap)");
        if (tensor.begin > covered)
            throw EngineError(file, prefix + " leave bytes [" + std::to_string(covered) + ", " +
                                        std::to_string(tensor.begin) +
                                        ") of the data area unused (the tensors must cover the data area without holes)");
        covered = tensor.end;
        previous = &tensor;
    }
    if (covered != dataSize) {
        const std::string after = previous ? "after tensor " + quotedName(previous->name) : "but the header lists no tensors";
        throw EngineError(file, "the data area has " + std::to_string(dataSize - covered) + " unused bytes " + after +
                                    " (the tensors must cover the data area, nothing may follow the last one)");
    }
}

} // namespace

std::int64_t TensorEntry::numel() const
{
    std::int64_t count = 1;
    for (const std::int64_t dim : shape)
        count *= dim;
    return count;
}

const TensorEntry* SafetensorsHeader::find(std::string_view name) const
{
    for (const TensorEntry& tensor : tensors) {
        if (tensor.name == name)
            return &tensor;
    }
    return nullptr;
}

SafetensorsHeader parseSafetensorsHeader(const std::uint8_t* bytes, std::size_t available, std::uint64_t fileSize,
                                         const std::string& file)
{
    SafetensorsHeader header;
    header.headerSize = checkedHeaderSize(bytes, available, fileSize, file);
    if (available - 8 < header.headerSize)
        throw EngineError(file, "only " + std::to_string(available) + " of the " +
                                    std::to_string(8 + header.headerSize) + " header bytes were read");
    header.dataOffset = 8 + header.headerSize;
    const std::uint64_t dataSize = fileSize - header.dataOffset;

    const std::string_view text(reinterpret_cast<const char*>(bytes + 8), header.headerSize);
    const json root = parseStrictJson(text, file, "header", [](const std::vector<std::string>& parents, const std::string& key) {
        if (parents.empty())
            return "tensor " + quotedName(key) + " appears twice in the header (names must be unique)";
        return (parents.front() == kMetadataKey ? std::string(kMetadataKey) : "tensor " + quotedName(parents.front())) +
               ": field " + quotedName(key) + " appears twice (fields must be unique)";
    });
    if (!root.is_object())
        throw EngineError(file, "header is " + jsonTypeName(root) + ", not a JSON object of tensors");

    for (const auto& [name, value] : root.items()) {
        if (name == kMetadataKey)
            header.metadata = parseMetadata(value, file);
        else
            header.tensors.push_back(parseEntry(name, value, dataSize, file));
    }
    std::sort(header.tensors.begin(), header.tensors.end(), [](const TensorEntry& a, const TensorEntry& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    checkTiling(header.tensors, dataSize, file);
    return header;
}

SafetensorsHeader readSafetensorsHeader(const std::string& path)
{
    std::error_code error;
    if (!std::filesystem::exists(path, error))
        throw EngineError(path, "file does not exist");
    if (!std::filesystem::is_regular_file(path, error))
        throw EngineError(path, "not a regular file");
    const std::uint64_t fileSize = std::filesystem::file_size(path, error);
    std::ifstream in(path, std::ios::binary);
    if (error || !in)
        throw EngineError(path, "cannot be opened for reading");

    std::vector<std::uint8_t> bytes(8);
    in.read(reinterpret_cast<char*>(bytes.data()), 8);
    const std::uint64_t headerSize = checkedHeaderSize(bytes.data(), static_cast<std::size_t>(in.gcount()), fileSize, path);
    bytes.resize(8 + headerSize);
    in.read(reinterpret_cast<char*>(bytes.data() + 8), static_cast<std::streamsize>(headerSize));
    return parseSafetensorsHeader(bytes.data(), 8 + static_cast<std::size_t>(in.gcount()), fileSize, path);
}

} // namespace ckptlab::engine
