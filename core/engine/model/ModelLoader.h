#pragma once

// Loading a Hugging Face checkpoint folder (config.json + safetensors) into a CausalLM, and
// saving one back in the same layout.

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ckptlab::engine {

class CausalLM;      // engine/CausalLM.h
class CausalLMImpl;
class WeightSource;  // engine/WeightSource.h

// Reads checkpointDir/config.json and its weights (model.safetensors or a sharded index) into a
// model of dtype (float32, bfloat16 or float16) on device, in eval mode. Throws EngineError
// naming the file and the tensor or field for: an unknown model_type, a missing tensor, a
// tensor whose shape does not match config.json (both shapes given), a tensor the family has
// no place for (a wrong mapping), an unsupported dtype, or a CUDA device that is not there.
CausalLM loadCausalLM(const std::string& checkpointDir, c10::ScalarType dtype = c10::ScalarType::Float,
                      c10::Device device = c10::Device(c10::DeviceType::CPU));

// Fills every parameter of model from source by Hugging Face name, converting dtype and
// device. Checks every name and shape before it copies anything.
void loadWeights(CausalLMImpl& model, const WeightSource& source);

// (Hugging Face name, tensor) for every weight, detached; tied weights once. What a
// fine-tuned model writes so that it reloads here and in transformers.
std::vector<std::pair<std::string, at::Tensor>> namedWeightsForSaving(const CausalLM& model);

// Writes directory/model.safetensors and directory/config.json (the loaded config with
// torch_dtype updated). The directory must exist.
void saveCausalLM(const CausalLM& model, const std::string& directory);

int64_t parameterCount(const CausalLM& model); // tied weights counted once

// "fp32"/"float32", "bf16"/"bfloat16", "fp16"/"float16"/"half"; throws EngineError otherwise.
c10::ScalarType parseModelDtype(const std::string& name);
const char* modelDtypeName(c10::ScalarType dtype); // "float32", "bfloat16", "float16"

} // namespace ckptlab::engine
