#pragma once

// The architecture of a decoder-only checkpoint, read from its Hugging Face config.json.
// Standard library only, so the scanner and the UI can read configs without torch.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ckptlab::engine {

enum class ModelFamily { Gpt2, GptNeoX, Llama, Olmo };

enum class NormKind {
    LayerNorm,              // weight and bias (gpt2, gpt_neox)
    RmsNorm,                // weight only, computed in fp32 (llama)
    NonParametricLayerNorm, // no weights at all, fp32, eps 1e-5 (olmo)
};

// How the residual stream combines attention and MLP.
enum class ResidualKind {
    Sequential, // x += attn(ln1(x)); x += mlp(ln2(x))
    Parallel,   // x += attn(ln1(x)) + mlp(ln2(x))   (gpt_neox use_parallel_residual)
};

// rope_scaling from config.json; type "none" when absent.
struct RopeScaling {
    std::string type = "none"; // "none", "linear", "llama3"
    double factor = 1.0;
    double lowFreqFactor = 1.0;
    double highFreqFactor = 4.0;
    double originalMaxPositions = 8192.0;
};

struct ModelConfig {
    std::string sourcePath; // the config.json it came from (for error messages)
    std::string modelType;  // "gpt2", "gpt_neox", "llama", "olmo" as written
    ModelFamily family = ModelFamily::Llama;

    int64_t vocabSize = 0;
    int64_t hiddenSize = 0;
    int64_t numLayers = 0;
    int64_t numHeads = 0;
    int64_t numKvHeads = 0; // == numHeads without grouped-query attention
    int64_t headDim = 0;
    int64_t intermediateSize = 0;
    int64_t maxPositions = 0;

    NormKind norm = NormKind::LayerNorm;
    double normEps = 1e-5;
    ResidualKind residual = ResidualKind::Sequential;

    std::string activation;  // Hugging Face name: gelu_new, gelu, silu, relu, ...
    bool gatedMlp = false;   // SwiGLU-style gate/up/down (llama, olmo)
    bool attentionBias = false;
    bool mlpBias = false;

    bool learnedPositions = false; // gpt2 wpe
    bool rotary = false;
    double ropeTheta = 10000.0;
    double rotaryPct = 1.0;        // fraction of each head's dimensions that rotate
    RopeScaling ropeScaling;

    bool tieWordEmbeddings = false;
    std::optional<double> clipQkv; // olmo: clamp q, k, v to [-clip, clip]
    bool scaleAttnByInverseLayerIdx = false; // gpt2 option

    std::optional<int64_t> bosTokenId;
    std::vector<int64_t> eosTokenIds; // config may give one id or a list
    std::optional<int64_t> padTokenId;
    std::string torchDtype; // "float32", "bfloat16", ... or empty

    std::string rawJson; // the config.json text, written back when a model is saved

    int64_t rotaryDim() const; // even number of dimensions per head that rotate (0 without rotary)
    int64_t kvGroupSize() const { return numKvHeads > 0 ? numHeads / numKvHeads : 1; }
};

const char* familyName(ModelFamily family); // "gpt2", "gpt_neox", "llama", "olmo"

// Reads and validates config.json. Throws EngineError naming the file and the field on an
// unknown model_type, a missing or malformed field, or sizes that do not fit together.
ModelConfig parseModelConfig(const std::string& configJsonPath);

// The same from JSON text; sourceName is used in error messages.
ModelConfig parseModelConfigText(const std::string& jsonText, const std::string& sourceName);

} // namespace ckptlab::engine
