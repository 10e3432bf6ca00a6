#include "engine/model/CausalLM.h"

#include "engine/model/Attention.h"
#include "engine/EngineError.h"
#include "engine/model/KvCache.h"
#include "engine/model/ModelNaming.h"
#include "engine/model/Rotary.h"

#include <torch/torch.h>

namespace ckptlab::engine {

// One transformer layer: pre-norm attention and MLP, sequential or parallel residual.
class DecoderBlockImpl : public torch::nn::Module {
public:
    DecoderBlockImpl(const ModelConfig& c, const LayerTensorNames& n, int64_t index, const torch::TensorOptions& o)
        : m_parallel(c.residual == ResidualKind::Parallel)
    {
        m_norm1 = register_module("norm1", Norm(c.norm, c.hiddenSize, c.normEps, n.norm1Weight, n.norm1Bias, o));
        m_attention = register_module("attention", Attention(c, n, index, o));
        m_norm2 = register_module("norm2", Norm(c.norm, c.hiddenSize, c.normEps, n.norm2Weight, n.norm2Bias, o));
        m_mlp = register_module("mlp", Mlp(c, n, o));
    }

    torch::Tensor forward(const torch::Tensor& x, const AttentionContext& context)
    {
        const torch::Tensor attended = m_attention->forward(m_norm1->forward(x), context);
        if (m_parallel) // gpt_neox: x + attn(ln1(x)) + mlp(ln2(x))
            return m_mlp->forward(m_norm2->forward(x)) + attended + x;
        const torch::Tensor h = x + attended;
        return h + m_mlp->forward(m_norm2->forward(h));
    }

    void appendWeights(NamedWeights& out) const
    {
        m_norm1->appendWeights(out);
        m_attention->appendWeights(out);
        m_norm2->appendWeights(out);
        m_mlp->appendWeights(out);
    }

private:
    bool m_parallel;
    Norm m_norm1{nullptr}, m_norm2{nullptr};
    Attention m_attention{nullptr};
    Mlp m_mlp{nullptr};
};

// One layer under gradient checkpointing (the reentrant scheme): forward runs without a graph
// and keeps the layer's input; backward runs the layer again with gradients on and
// back-propagates through that, which accumulates the parameter gradients as usual and gives
// the input its gradient. The layer and rotary table live in the model, so addresses suffice.
// Under CUDA bf16 autocast the recompute runs in float32 (autocast is off in backward).
class CheckpointedBlock : public torch::autograd::Function<CheckpointedBlock> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, int64_t block,
                                 int64_t rotary, const torch::Tensor& cos, const torch::Tensor& sin,
                                 const torch::Tensor& allowed)
    {
        ctx->saved_data["block"] = block;
        ctx->saved_data["rotary"] = rotary;
        ctx->save_for_backward({x, cos, sin, allowed});
        return reinterpret_cast<DecoderBlockImpl*>(block)->forward(x, contextOf(rotary, cos, sin, allowed));
    }

    static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::tensor_list gradOutputs)
    {
        const auto saved = ctx->get_saved_variables();
        torch::Tensor x = saved[0].detach().requires_grad_(true);
        torch::Tensor out;
        {
            torch::AutoGradMode gradients(true);
            out = reinterpret_cast<DecoderBlockImpl*>(ctx->saved_data["block"].toInt())
                      ->forward(x, contextOf(ctx->saved_data["rotary"].toInt(), saved[1], saved[2], saved[3]));
        }
        torch::autograd::backward({out}, {gradOutputs[0]});
        return {x.grad(), torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }

private:
    static AttentionContext contextOf(int64_t rotary, const torch::Tensor& cos, const torch::Tensor& sin,
                                      const torch::Tensor& allowed)
    {
        AttentionContext c;
        c.rotary = reinterpret_cast<const RotaryEmbedding*>(rotary);
        c.cos = cos;
        c.sin = sin;
        c.allowed = allowed;
        return c;
    }
};

CausalLMImpl::CausalLMImpl(const ModelConfig& config, const torch::TensorOptions& options)
    : m_config(config)
{
    const ModelTensorNames names = hfTensorNames(config);
    const int64_t h = config.hiddenSize;
    m_tokenEmbeddingName = names.tokenEmbedding;
    m_tokenEmbedding = register_parameter("token_embedding", torch::empty({config.vocabSize, h}, options));
    if (config.learnedPositions) {
        m_positionEmbeddingName = names.positionEmbedding;
        m_positionEmbedding = register_parameter("position_embedding", torch::empty({config.maxPositions, h}, options));
    }
    for (int64_t i = 0; i < config.numLayers; ++i) {
        auto block = std::make_shared<DecoderBlockImpl>(config, names.layers[static_cast<size_t>(i)], i, options);
        m_blocks.push_back(register_module("layer" + std::to_string(i), block));
    }
    m_finalNorm = register_module("final_norm", Norm(config.norm, h, config.normEps, names.finalNormWeight,
                                                     names.finalNormBias, options));
    if (!names.outputHead.empty()) {
        m_outputHeadName = names.outputHead;
        m_outputHead = register_parameter("output_head", torch::empty({config.vocabSize, h}, options));
    }
    if (config.rotary)
        m_rotary = std::make_unique<RotaryEmbedding>(config);
}

CausalLMImpl::~CausalLMImpl() = default;

torch::Dtype CausalLMImpl::dtype() const
{
    return m_tokenEmbedding.scalar_type();
}

torch::Device CausalLMImpl::device() const
{
    return m_tokenEmbedding.device();
}

std::vector<std::pair<std::string, torch::Tensor>> CausalLMImpl::hfWeights() const
{
    NamedWeights out;
    out.emplace_back(m_tokenEmbeddingName, m_tokenEmbedding);
    if (m_positionEmbedding.defined())
        out.emplace_back(m_positionEmbeddingName, m_positionEmbedding);
    for (const auto& block : m_blocks)
        block->appendWeights(out);
    m_finalNorm->appendWeights(out);
    if (m_outputHead.defined())
        out.emplace_back(m_outputHeadName, m_outputHead);
    return out;
}

int64_t CausalLMImpl::parameterCount() const
{
    int64_t count = 0;
    for (const auto& p : parameters())
        count += p.numel();
    return count;
}

torch::Tensor CausalLMImpl::forward(const torch::Tensor& inputIds, const torch::Tensor& attentionMask, KvCache* cache)
{
    const auto fail = [&](const std::string& detail) -> void { throw EngineError(m_config.sourcePath, detail); };
    if (inputIds.dim() != 2 || inputIds.size(1) == 0)
        fail("input ids must be [batch, tokens] with at least one token");
    if (at::isFloatingType(inputIds.scalar_type()) || inputIds.scalar_type() == torch::kBool)
        fail("input ids must be integers");
    const int64_t b = inputIds.size(0), t = inputIds.size(1);
    const torch::Device dev = device();
    const torch::Tensor ids = inputIds.to(dev, torch::kLong);
    const int64_t lowest = ids.min().item<int64_t>(), highest = ids.max().item<int64_t>();
    if (lowest < 0 || highest >= m_config.vocabSize)
        fail("token id " + std::to_string(lowest < 0 ? lowest : highest) + " is outside the vocabulary of "
             + std::to_string(m_config.vocabSize));

    const int64_t past = cache ? cache->length() : 0;
    if (cache && past > 0 && cache->batchSize() != b)
        fail("a batch of " + std::to_string(b) + " sequences cannot continue a cache of "
             + std::to_string(cache->batchSize()));
    torch::Tensor mask;
    if (attentionMask.defined()) {
        if (attentionMask.sizes() != inputIds.sizes())
            fail("the attention mask must have the shape of the input ids");
        mask = attentionMask.to(dev).ne(0);
    }

    // Positions count each sequence's real tokens (HF: cumsum(mask) - 1).
    torch::Tensor positions;
    if (mask.defined())
        positions = mask.to(torch::kLong).cumsum(1) - 1;
    else
        positions = torch::arange(t, torch::TensorOptions().dtype(torch::kLong).device(dev)).unsqueeze(0).expand({b, t});
    if (past > 0)
        positions = positions + cache->tokenCounts().unsqueeze(1);
    positions = positions.clamp_min(0);

    // allowed[b, 0, i, j]: new token i (slot past + i) sees slot j <= past + i holding a real token.
    const auto longOnDev = torch::TensorOptions().dtype(torch::kLong).device(dev);
    torch::Tensor allowed = torch::arange(past + t, longOnDev).unsqueeze(0)
                                .le(torch::arange(past, past + t, longOnDev).unsqueeze(1))
                                .view({1, 1, t, past + t});
    const torch::Tensor newKeyMask = mask.defined() ? mask : torch::ones({b, t}, longOnDev.dtype(torch::kBool));
    if (mask.defined() || past > 0) {
        const torch::Tensor keyMask = past > 0 ? torch::cat({cache->keyMask(), newKeyMask}, 1) : newKeyMask;
        allowed = allowed.logical_and(keyMask.view({b, 1, 1, past + t}));
    }

    torch::Tensor x = torch::embedding(m_tokenEmbedding, ids);
    if (m_positionEmbedding.defined()) {
        const int64_t last = positions.max().item<int64_t>();
        if (last >= m_config.maxPositions)
            fail("sequence of " + std::to_string(last + 1) + " tokens is longer than the model's "
                 + std::to_string(m_config.maxPositions) + " positions");
        x = x + torch::embedding(m_positionEmbedding, positions);
    }

    AttentionContext context;
    context.allowed = allowed;
    context.cache = cache;
    if (m_rotary) {
        context.rotary = m_rotary.get();
        std::tie(context.cos, context.sin) = m_rotary->cosSin(positions, x.scalar_type());
    }
    const bool checkpointed = m_gradientCheckpointing && is_training() && torch::GradMode::is_enabled() && !cache;
    for (const auto& block : m_blocks) {
        if (checkpointed)
            x = CheckpointedBlock::apply(x, reinterpret_cast<int64_t>(block.get()),
                                         reinterpret_cast<int64_t>(context.rotary), context.cos, context.sin,
                                         context.allowed);
        else
            x = block->forward(x, context);
    }
    x = m_finalNorm->forward(x);
    const torch::Tensor logits = torch::linear(x, m_outputHead.defined() ? m_outputHead : m_tokenEmbedding);
    if (cache)
        cache->commit(newKeyMask);
    return logits;
}

std::vector<int64_t> greedyContinuation(CausalLM& model, const std::vector<int64_t>& prompt, int64_t count)
{
    torch::NoGradGuard noGrad;
    if (prompt.empty())
        throw EngineError(model->config().sourcePath, "greedy decoding needs a non-empty prompt");
    KvCache cache;
    const auto options = torch::TensorOptions().dtype(torch::kLong);
    torch::Tensor ids = torch::tensor(prompt, options).unsqueeze(0);
    std::vector<int64_t> generated;
    for (int64_t i = 0; i < count; ++i) {
        const torch::Tensor logits = model->forward(ids, {}, &cache);
        const int64_t next = logits.select(1, logits.size(1) - 1).argmax(-1).item<int64_t>();
        generated.push_back(next);
        ids = torch::tensor({next}, options).unsqueeze(0);
    }
    return generated;
}

} // namespace ckptlab::engine
