#include "engine/model/Rotary.h"

#include <ATen/ATen.h>

#include <cmath>

namespace ckptlab::engine {

namespace {

// Llama 3.1 frequency-dependent scaling (HF _compute_llama3_parameters).
at::Tensor llama3Scaled(const at::Tensor& invFreq, const RopeScaling& s)
{
    const double lowFreqWavelen = s.originalMaxPositions / s.lowFreqFactor;
    const double highFreqWavelen = s.originalMaxPositions / s.highFreqFactor;
    const at::Tensor wavelen = 2.0 * M_PI / invFreq;
    at::Tensor scaled = at::where(wavelen > lowFreqWavelen, invFreq / s.factor, invFreq);
    const at::Tensor smooth = (s.originalMaxPositions / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
    const at::Tensor smoothed = (1.0 - smooth) * scaled / s.factor + smooth * scaled;
    const at::Tensor medium = (wavelen >= highFreqWavelen).logical_and(wavelen <= lowFreqWavelen);
    return at::where(medium, smoothed, scaled);
}

} // namespace

RotaryEmbedding::RotaryEmbedding(const ModelConfig& config)
    : m_rotaryDim(config.rotaryDim())
{
    if (m_rotaryDim <= 0)
        return;
    // As HF computes it, in float32: 1 / base^(arange(0, dim, 2) / dim).
    const at::Tensor exponents = at::arange(0, m_rotaryDim, 2, at::kLong).to(at::kFloat) / static_cast<double>(m_rotaryDim);
    at::Tensor invFreq = 1.0 / at::pow(config.ropeTheta, exponents);
    if (config.ropeScaling.type == "linear")
        invFreq = invFreq / config.ropeScaling.factor;
    else if (config.ropeScaling.type == "llama3")
        invFreq = llama3Scaled(invFreq, config.ropeScaling);
    m_inverseFrequencies = invFreq.to(at::kFloat).contiguous();
}

std::pair<at::Tensor, at::Tensor> RotaryEmbedding::cosSin(const at::Tensor& positions, at::ScalarType dtype) const
{
    const at::Tensor invFreq = m_inverseFrequencies.to(positions.device());
    const at::Tensor freqs = positions.to(at::kFloat).unsqueeze(-1) * invFreq; // [B, T, rot/2]
    const at::Tensor angles = at::cat({freqs, freqs}, -1).unsqueeze(1);        // [B, 1, T, rot]
    return {angles.cos().to(dtype), angles.sin().to(dtype)};
}

at::Tensor RotaryEmbedding::apply(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) const
{
    const int64_t headDim = x.size(-1);
    const at::Tensor rot = m_rotaryDim == headDim ? x : x.narrow(-1, 0, m_rotaryDim);
    const int64_t half = m_rotaryDim / 2;
    const at::Tensor rotated = at::cat({-rot.narrow(-1, half, half), rot.narrow(-1, 0, half)}, -1);
    const at::Tensor out = rot * cos + rotated * sin;
    if (m_rotaryDim == headDim)
        return out;
    return at::cat({out, x.narrow(-1, m_rotaryDim, headDim - m_rotaryDim)}, -1);
}

} // namespace ckptlab::engine
