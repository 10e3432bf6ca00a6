#include "engine/EngineError.h"
#include "engine/safetensors/SafetensorsFile.h"
#include "engine/safetensors/SafetensorsJson.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace ckptlab::engine {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string readIndexText(const std::string& indexPath)
{
    std::error_code error;
    if (!fs::is_regular_file(indexPath, error))
        throw EngineError(indexPath, "index file does not exist");
    if (fs::file_size(indexPath, error) > kMaxSafetensorsHeaderSize || error)
        throw EngineError(indexPath, "index file is unreadable or larger than " +
                                         std::to_string(kMaxSafetensorsHeaderSize) + " bytes");
    std::ifstream in(indexPath, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof())
        throw EngineError(indexPath, "index file cannot be read");
    return text;
}

// weight_map as tensor -> shard file name, each name a plain file in the index's folder.
std::map<std::string, std::string> parseWeightMap(const std::string& indexPath)
{
    const json root = parseStrictJson(readIndexText(indexPath), indexPath, "index",
                                      [](const std::vector<std::string>& parents, const std::string& key) {
                                          if (parents.size() == 1 && parents.front() == "weight_map")
                                              return "tensor " + quotedName(key) +
                                                     " appears twice in weight_map (names must be unique)";
                                          return "key " + quotedName(key) + " appears twice (keys must be unique)";
                                      });
    if (!root.is_object() || !root.contains("weight_map") || !root["weight_map"].is_object())
        throw EngineError(indexPath, "index has no \"weight_map\" object mapping tensor names to shard files");

    std::map<std::string, std::string> weightMap;
    for (const auto& [tensor, shard] : root["weight_map"].items()) {
        const std::string prefix = "tensor " + quotedName(tensor) + ": ";
        if (!shard.is_string())
            throw EngineError(indexPath, prefix + "weight_map value is " + jsonTypeName(shard) + ", not a shard file name");
        const auto& name = shard.get_ref<const std::string&>();
        if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
            name.find('\0') != std::string::npos)
            throw EngineError(indexPath, prefix + "shard " + quotedName(name) +
                                             " is not a plain file name (shards must lie beside the index)");
        weightMap.emplace(tensor, name);
    }
    if (weightMap.empty())
        throw EngineError(indexPath, "weight_map lists no tensors");
    return weightMap;
}

} // namespace

std::shared_ptr<ShardedSafetensors> ShardedSafetensors::open(const std::string& indexJsonPath)
{
    const std::map<std::string, std::string> weightMap = parseWeightMap(indexJsonPath);
    const fs::path folder = fs::path(indexJsonPath).parent_path();

    std::shared_ptr<ShardedSafetensors> sharded(new ShardedSafetensors(indexJsonPath));
    std::map<std::string, std::shared_ptr<SafetensorsFile>> shardByName;
    for (const auto& [tensor, shardName] : weightMap) {
        auto& shard = shardByName[shardName];
        if (!shard) {
            const std::string shardPath = (folder / shardName).string();
            std::error_code error;
            if (!fs::exists(shardPath, error))
                throw EngineError(indexJsonPath, "shard " + quotedName(shardPath) + " (holding tensor " +
                                                     quotedName(tensor) + ") does not exist");
            shard = SafetensorsFile::open(shardPath);
        }
        if (!shard->contains(tensor))
            throw EngineError(indexJsonPath, "tensor " + quotedName(tensor) + ": not in shard " +
                                                 quotedName(shard->path()) + ", where weight_map places it");
        sharded->m_shardByTensor.emplace(tensor, shard);
    }
    return sharded;
}

ShardedSafetensors::ShardedSafetensors(std::string indexPath)
    : m_indexPath(std::move(indexPath))
{
}

std::vector<std::shared_ptr<SafetensorsFile>> ShardedSafetensors::shards() const
{
    std::vector<std::shared_ptr<SafetensorsFile>> result;
    for (const auto& [tensor, shard] : m_shardByTensor) {
        if (std::find(result.begin(), result.end(), shard) == result.end())
            result.push_back(shard);
    }
    return result;
}

bool ShardedSafetensors::contains(const std::string& name) const
{
    return m_shardByTensor.count(name) > 0;
}

torch::Tensor ShardedSafetensors::get(const std::string& name) const
{
    const auto found = m_shardByTensor.find(name);
    if (found == m_shardByTensor.end())
        throw EngineError(m_indexPath, "tensor " + quotedName(name) + " is not in this checkpoint's weight_map");
    return found->second->get(name);
}

std::vector<std::string> ShardedSafetensors::names() const
{
    std::vector<std::string> result;
    result.reserve(m_shardByTensor.size());
    for (const auto& entry : m_shardByTensor)
        result.push_back(entry.first);
    return result;
}

std::shared_ptr<WeightSource> openCheckpointWeights(const std::string& directory)
{
    std::error_code error;
    if (!fs::is_directory(directory, error))
        throw EngineError(directory, "not a folder");
    const fs::path single = fs::path(directory) / "model.safetensors";
    if (fs::exists(single, error))
        return SafetensorsFile::open(single.string());
    const fs::path index = fs::path(directory) / "model.safetensors.index.json";
    if (fs::exists(index, error))
        return ShardedSafetensors::open(index.string());
    throw EngineError(directory, "holds neither model.safetensors nor model.safetensors.index.json");
}

} // namespace ckptlab::engine
