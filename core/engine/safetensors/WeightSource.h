#pragma once

// What a model loads its weights from: one safetensors file, a sharded checkpoint, or anything
// else that maps Hugging Face tensor names to tensors.

#include <torch/types.h>

#include <string>
#include <vector>

namespace ckptlab::engine {

class WeightSource {
public:
    virtual ~WeightSource() = default;

    virtual bool contains(const std::string& name) const = 0;
    // A CPU tensor in the dtype stored; throws EngineError naming the tensor when it is missing.
    virtual torch::Tensor get(const std::string& name) const = 0;
    virtual std::vector<std::string> names() const = 0;
    // The file or index the weights come from, for messages.
    virtual std::string describe() const = 0;
};

} // namespace ckptlab::engine
