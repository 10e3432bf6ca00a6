#pragma once

// A small, portable seeded random source: the same seed gives the same draws with every
// standard library (std::uniform_int_distribution does not promise that).

#include <cstdint>

namespace ckptlab::engine {

inline uint64_t splitMix64(uint64_t& state)
{
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// Uniform in [0, bound) without modulo bias.
inline uint64_t boundedRandom(uint64_t& state, uint64_t bound)
{
    const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t r;
    do {
        r = splitMix64(state);
    } while (r >= limit);
    return r % bound;
}

} // namespace ckptlab::engine
