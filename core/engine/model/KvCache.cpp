#include "engine/model/KvCache.h"

#include "engine/EngineError.h"

#include <ATen/ATen.h>

#include <algorithm>

namespace ckptlab::engine {

void KvCache::clear()
{
    m_layers.clear();
    m_length = 0;
    m_batchSize = 0;
    m_keyMask = at::Tensor();
    m_tokenCounts = at::Tensor();
}

std::pair<at::Tensor, at::Tensor> KvCache::append(int64_t layer, const at::Tensor& keys, const at::Tensor& values)
{
    if (keys.dim() != 4 || values.sizes() != keys.sizes())
        throw EngineError("KvCache", "keys and values must both be [batch, heads, tokens, head_dim]");
    if (layer < 0)
        throw EngineError("KvCache", "negative layer index");
    if (static_cast<size_t>(layer) >= m_layers.size())
        m_layers.resize(static_cast<size_t>(layer) + 1);
    if (m_length > 0 && keys.size(0) != m_batchSize)
        throw EngineError("KvCache", "batch of " + std::to_string(keys.size(0)) + " sequences does not match the "
                                         + std::to_string(m_batchSize) + " already cached");

    Layer& l = m_layers[static_cast<size_t>(layer)];
    const int64_t needed = m_length + keys.size(2);
    const int64_t capacity = l.keys.defined() ? l.keys.size(2) : 0;
    if (needed > capacity) {
        // Grow geometrically so that decoding token by token copies each key O(1) times.
        const int64_t newCapacity = std::max<int64_t>({needed, 2 * capacity, 16});
        auto shape = keys.sizes().vec();
        shape[2] = newCapacity;
        at::Tensor newKeys = at::empty(shape, keys.options());
        at::Tensor newValues = at::empty(shape, values.options());
        if (m_length > 0) {
            newKeys.narrow(2, 0, m_length).copy_(l.keys.narrow(2, 0, m_length));
            newValues.narrow(2, 0, m_length).copy_(l.values.narrow(2, 0, m_length));
        }
        l.keys = newKeys;
        l.values = newValues;
    } else if (l.keys.sizes().slice(0, 2) != keys.sizes().slice(0, 2) || l.keys.size(3) != keys.size(3)
               || l.keys.scalar_type() != keys.scalar_type()) {
        throw EngineError("KvCache", "keys do not match the shape or type of the cached ones");
    }
    l.keys.narrow(2, m_length, keys.size(2)).copy_(keys);
    l.values.narrow(2, m_length, values.size(2)).copy_(values);
    return {l.keys.narrow(2, 0, needed), l.values.narrow(2, 0, needed)};
}

void KvCache::commit(const at::Tensor& newMask)
{
    const at::Tensor mask = newMask.to(at::kBool);
    const at::Tensor counts = mask.sum(1, /*keepdim=*/false, at::kLong);
    if (m_length == 0) {
        m_batchSize = mask.size(0);
        m_keyMask = mask;
        m_tokenCounts = counts;
    } else {
        m_keyMask = at::cat({m_keyMask, mask}, 1);
        m_tokenCounts = m_tokenCounts + counts;
    }
    m_length += mask.size(1);
}

} // namespace ckptlab::engine
