#pragma once

// Reading safetensors checkpoints: one memory-mapped file, a sharded checkpoint through its
// index, and the choice between them for a checkpoint folder. Every file is validated in full
// (see SafetensorsHeader.h) when opened, before any tensor is handed out.

#include "engine/safetensors/SafetensorsHeader.h"
#include "engine/safetensors/WeightSource.h"

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace ckptlab::engine {

class MappedFile;

class SafetensorsFile : public WeightSource {
public:
    static std::shared_ptr<SafetensorsFile> open(const std::string& path);   // throws EngineError

    const SafetensorsHeader& header() const { return m_header; }
    const std::string& path() const { return m_path; }
    // The mapped file, for checking where tensors live (a zero-copy tensor points inside it).
    const std::uint8_t* mappedData() const;
    std::size_t mappedSize() const;

    bool contains(const std::string& name) const override;
    // CPU tensors viewing the mapping without a copy when the data is aligned for the dtype
    // (copied otherwise); each keeps the mapping alive, so they may outlive this object.
    // They are copy-on-write views: writing to one never changes the file.
    torch::Tensor get(const std::string& name) const override;
    std::vector<std::string> names() const override;   // in data order
    std::string describe() const override { return m_path; }

private:
    SafetensorsFile(std::string path, std::shared_ptr<MappedFile> mapping, SafetensorsHeader header);

    std::string m_path;
    std::shared_ptr<MappedFile> m_mapping;
    SafetensorsHeader m_header;
    std::unordered_map<std::string, std::size_t> m_index;   // name -> position in m_header.tensors
};

// A checkpoint split over several files by model.safetensors.index.json ({"weight_map":
// {tensor: shard file name}}). Opening validates that every shard exists and is a valid
// safetensors file, and that every mapped tensor is in its shard.
class ShardedSafetensors : public WeightSource {
public:
    static std::shared_ptr<ShardedSafetensors> open(const std::string& indexJsonPath);   // throws EngineError

    const std::string& indexPath() const { return m_indexPath; }
    std::vector<std::shared_ptr<SafetensorsFile>> shards() const;

    bool contains(const std::string& name) const override;
    torch::Tensor get(const std::string& name) const override;
    std::vector<std::string> names() const override;   // sorted
    std::string describe() const override { return m_indexPath; }

private:
    explicit ShardedSafetensors(std::string indexPath);

    std::string m_indexPath;
    std::map<std::string, std::shared_ptr<SafetensorsFile>> m_shardByTensor;
};

// Opens directory/model.safetensors, else directory/model.safetensors.index.json; throws an
// EngineError naming the directory when it holds neither.
std::shared_ptr<WeightSource> openCheckpointWeights(const std::string& directory);

} // namespace ckptlab::engine
