#include "engine/safetensors/SafetensorsWriter.h"

#include "engine/EngineError.h"
#include "engine/safetensors/SafetensorsHeader.h"
#include "engine/safetensors/SafetensorsJson.h"
#include "engine/safetensors/SafetensorsPosixIO.h"
#include "engine/safetensors/SafetensorsTorch.h"

#include <algorithm>
#include <numeric>
#include <set>

namespace ckptlab::engine {

namespace {

using json = nlohmann::json;

struct PlannedTensor {
    const std::string* name;
    const torch::Tensor* tensor;
    DType dtype;
    std::uint64_t bytes;
};

bool isValidUtf8(const std::string& text)
{
    try {
        (void)json(text).dump();
        return true;
    } catch (const json::type_error&) {
        return false;
    }
}

std::vector<PlannedTensor> planTensors(const std::string& path,
                                       const std::vector<std::pair<std::string, torch::Tensor>>& tensors)
{
    std::vector<PlannedTensor> planned;
    std::set<std::string> seen;
    for (const auto& [name, tensor] : tensors) {
        const std::string prefix = "tensor " + quotedName(name) + ": ";
        if (name == "__metadata__")
            throw EngineError(path, prefix + "the name is reserved for metadata");
        if (!isValidUtf8(name))
            throw EngineError(path, prefix + "the name is not valid UTF-8");
        if (!seen.insert(name).second)
            throw EngineError(path, prefix + "appears twice (names must be unique)");
        if (!tensor.defined())
            throw EngineError(path, prefix + "is an undefined tensor");
        if (tensor.layout() != torch::kStrided)
            throw EngineError(path, prefix + "only dense tensors can be stored");
        const auto dtype = dtypeFromScalarType(tensor.scalar_type());
        if (!dtype)
            throw EngineError(path, prefix + "dtype " + std::string(c10::toString(tensor.scalar_type())) +
                                        " cannot be stored (supported: F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL)");
        planned.push_back({&name, &tensor, *dtype, static_cast<std::uint64_t>(tensor.numel()) * dtypeSize(*dtype)});
    }
    // Widest elements first: with the header padded to 8 bytes, every offset is then a
    // multiple of its element size and the reader can map every tensor without copying.
    std::stable_sort(planned.begin(), planned.end(), [](const PlannedTensor& a, const PlannedTensor& b) {
        return dtypeSize(a.dtype) > dtypeSize(b.dtype);
    });
    return planned;
}

std::string headerText(const std::string& path, const std::vector<PlannedTensor>& planned,
                       const std::map<std::string, std::string>& metadata)
{
    json header = json::object();
    if (!metadata.empty()) {
        for (const auto& [key, value] : metadata) {
            if (!isValidUtf8(key) || !isValidUtf8(value))
                throw EngineError(path, "__metadata__ entry " + quotedName(key) + " is not valid UTF-8");
        }
        header["__metadata__"] = metadata;
    }
    std::uint64_t offset = 0;
    for (const PlannedTensor& item : planned) {
        header[*item.name] = {{"dtype", dtypeName(item.dtype)},
                              {"shape", item.tensor->sizes().vec()},
                              {"data_offsets", {offset, offset + item.bytes}}};
        offset += item.bytes;
    }
    std::string text = header.dump();
    text.append((8 - (8 + text.size()) % 8) % 8, ' ');
    if (text.size() > kMaxSafetensorsHeaderSize)
        throw EngineError(path, "header would be " + std::to_string(text.size()) + " bytes, over the cap of " +
                                    std::to_string(kMaxSafetensorsHeaderSize) + " that readers accept");
    return text;
}

} // namespace

void writeSafetensors(const std::string& path, const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata)
{
    const std::vector<PlannedTensor> planned = planTensors(path, tensors);
    const std::string header = headerText(path, planned, metadata);

    AtomicFileWriter file(path);
    std::uint8_t length[8];
    for (int i = 0; i < 8; ++i)
        length[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(header.size()) >> (8 * i));
    file.write(length, sizeof length);
    file.write(header.data(), header.size());
    for (const PlannedTensor& item : planned) {
        if (item.bytes == 0)
            continue;
        // One tensor at a time, so saving a GPU model needs host memory for its largest tensor only.
        const torch::Tensor cpu = item.tensor->detach().to(torch::kCPU).contiguous();
        file.write(cpu.data_ptr(), item.bytes);
    }
    file.commit();
}

} // namespace ckptlab::engine
