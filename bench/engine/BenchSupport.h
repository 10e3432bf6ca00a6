#pragma once

// What every engine benchmark shares: a clock and the "name value unit" output lines.

#include <chrono>
#include <cstdio>
#include <string>

namespace ckptlab::bench {

using Clock = std::chrono::steady_clock;

inline double seconds(Clock::time_point since)
{
    return std::chrono::duration<double>(Clock::now() - since).count();
}

inline void figure(const std::string& name, double value, const char* unit)
{
    std::printf("%s %.4f %s\n", name.c_str(), value, unit);
    std::fflush(stdout);
}

} // namespace ckptlab::bench
