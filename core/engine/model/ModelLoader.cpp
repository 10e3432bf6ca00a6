#include "engine/model/ModelLoader.h"

#include "engine/model/CausalLM.h"
#include "engine/EngineError.h"
#include "engine/model/ModelNaming.h"
#include "engine/safetensors/SafetensorsFile.h"
#include "engine/safetensors/SafetensorsWriter.h"

#include <nlohmann/json.hpp>
#include <torch/cuda.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace ckptlab::engine {

namespace fs = std::filesystem;

namespace {

std::string shapeText(at::IntArrayRef shape)
{
    std::ostringstream s;
    s << '[';
    for (size_t i = 0; i < shape.size(); ++i)
        s << (i ? ", " : "") << shape[i];
    s << ']';
    return s.str();
}

std::string missingHint(const ModelConfig& c, const std::string& name)
{
    if (name == "lm_head.weight" || name == "embed_out.weight")
        return " (config.json says tie_word_embeddings is false, so the output head must be stored)";
    return " (expected for a " + std::string(familyName(c.family)) + " model with "
           + std::to_string(c.numLayers) + " layers as config.json describes)";
}

// Debian's libtorch 1.13 has no float16 CPU kernels for matmul, norms or softmax; newer
// builds do. Asked once, by trying.
bool cpuRunsFloat16()
{
    static const bool supported = [] {
        try {
            const torch::Tensor x = torch::ones({2, 2}, torch::kHalf);
            torch::softmax(torch::layer_norm(torch::linear(x, x), {2}), -1);
            return true;
        } catch (const std::exception&) {
            return false;
        }
    }();
    return supported;
}

} // namespace

void loadWeights(CausalLMImpl& model, const WeightSource& source)
{
    const ModelConfig& c = model.config();
    const std::string where = source.describe();
    const auto weights = model.hfWeights();

    // Resolve every name and check every shape before copying anything.
    std::vector<std::pair<std::string, torch::Tensor>> resolved; // file name, file tensor
    std::set<std::string> used;
    for (const auto& [name, parameter] : weights) {
        std::string found = source.contains(name) ? name : std::string();
        for (const std::string& alternative : alternativeTensorNames(c, name)) {
            if (found.empty() && source.contains(alternative))
                found = alternative;
        }
        if (found.empty())
            throw EngineError(where, "missing tensor \"" + name + "\"" + missingHint(c, name));
        torch::Tensor tensor = source.get(found);
        if (tensor.sizes() != parameter.sizes())
            throw EngineError(where, "tensor \"" + found + "\" has shape " + shapeText(tensor.sizes())
                                         + " but config.json implies " + shapeText(parameter.sizes()));
        if (!at::isFloatingType(tensor.scalar_type()))
            throw EngineError(where, "tensor \"" + found + "\" holds " + std::string(c10::toString(tensor.scalar_type()))
                                         + " values; model weights must be floating point");
        used.insert(found);
        resolved.emplace_back(found, std::move(tensor));
    }

    std::vector<std::string> unused;
    for (const std::string& name : source.names()) {
        if (!used.count(name) && !isIgnorableTensor(c, name))
            unused.push_back(name);
    }
    if (!unused.empty()) {
        std::string list;
        for (size_t i = 0; i < unused.size() && i < 5; ++i)
            list += (i ? ", \"" : "\"") + unused[i] + "\"";
        if (unused.size() > 5)
            list += " and " + std::to_string(unused.size() - 5) + " more";
        throw EngineError(where, std::to_string(unused.size()) + " tensor(s) have no place in a "
                                     + familyName(c.family) + " model as config.json describes it: " + list
                                     + " (wrong model_type or tie_word_embeddings?)");
    }

    torch::NoGradGuard noGrad;
    for (size_t i = 0; i < weights.size(); ++i) {
        torch::Tensor parameter = weights[i].second; // a handle on the module's own tensor
        const torch::Tensor& file = resolved[i].second;
        // Same dtype on the CPU: the parameter takes the file's (copy-on-write) mapped memory,
        // so loading costs what reading the file costs. Otherwise convert while copying.
        if (parameter.device().is_cpu() && file.device().is_cpu() && parameter.scalar_type() == file.scalar_type()
            && file.is_contiguous())
            parameter.set_data(file);
        else
            parameter.copy_(file);
    }
}

CausalLM loadCausalLM(const std::string& checkpointDir, c10::ScalarType dtype, c10::Device device)
{
    if (!fs::is_directory(checkpointDir))
        throw EngineError(checkpointDir, "not a checkpoint folder");
    if (dtype != torch::kFloat && dtype != torch::kBFloat16 && dtype != torch::kHalf)
        throw EngineError(checkpointDir, std::string("cannot run a model in ") + c10::toString(dtype)
                                             + " (use float32, bfloat16 or float16)");
    if (device.is_cuda() && !torch::cuda::is_available())
        throw EngineError(checkpointDir, "device " + device.str() + " requested but CUDA is not available");
    if (device.is_cuda() && device.has_index() && device.index() >= static_cast<int>(torch::cuda::device_count()))
        throw EngineError(checkpointDir, "device " + device.str() + " does not exist");
    if (!device.is_cpu() && !device.is_cuda())
        throw EngineError(checkpointDir, "device " + device.str() + " is not supported (use cpu or cuda)");
    if (device.is_cpu() && dtype == torch::kHalf && !cpuRunsFloat16())
        throw EngineError(checkpointDir, "float16 runs only on CUDA with this libtorch; use bfloat16 or float32 "
                                         "on the CPU");

    const ModelConfig config = parseModelConfig((fs::path(checkpointDir) / "config.json").string());
    const std::shared_ptr<WeightSource> source = openCheckpointWeights(checkpointDir);
    CausalLM model(config, torch::TensorOptions().dtype(dtype).device(device));
    loadWeights(*model, *source);
    model->eval();
    return model;
}

std::vector<std::pair<std::string, at::Tensor>> namedWeightsForSaving(const CausalLM& model)
{
    std::vector<std::pair<std::string, at::Tensor>> out;
    for (const auto& [name, tensor] : model->hfWeights())
        out.emplace_back(name, tensor.detach());
    return out;
}

void saveCausalLM(const CausalLM& model, const std::string& directory)
{
    if (!fs::is_directory(directory))
        throw EngineError(directory, "cannot save a model here: not a folder");
    const ModelConfig& config = model->config();
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(config.rawJson);
    } catch (const nlohmann::json::parse_error& e) {
        throw EngineError(config.sourcePath, std::string("config no longer parses: ") + e.what());
    }
    json["torch_dtype"] = modelDtypeName(model->dtype());

    writeSafetensors((fs::path(directory) / "model.safetensors").string(), namedWeightsForSaving(model),
                     {{"format", "pt"}});
    const fs::path configPath = fs::path(directory) / "config.json";
    const fs::path temporary = fs::path(directory) / "config.json.partial";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out << json.dump(2) << '\n';
        if (!out.flush())
            throw EngineError(temporary.string(), "cannot write the model config");
    }
    std::error_code error;
    fs::rename(temporary, configPath, error);
    if (error)
        throw EngineError(configPath.string(), "cannot write the model config: " + error.message());
}

int64_t parameterCount(const CausalLM& model)
{
    return model->parameterCount();
}

c10::ScalarType parseModelDtype(const std::string& name)
{
    if (name == "fp32" || name == "float32" || name == "float")
        return torch::kFloat;
    if (name == "bf16" || name == "bfloat16")
        return torch::kBFloat16;
    if (name == "fp16" || name == "float16" || name == "half")
        return torch::kHalf;
    throw EngineError("dtype", "unknown dtype \"" + name + "\" (use fp32, bf16 or fp16)");
}

const char* modelDtypeName(c10::ScalarType dtype)
{
    switch (dtype) {
    case c10::ScalarType::Float: return "float32";
    case c10::ScalarType::BFloat16: return "bfloat16";
    case c10::ScalarType::Half: return "float16";
    default: return c10::toString(dtype);
    }
}

} // namespace ckptlab::engine
