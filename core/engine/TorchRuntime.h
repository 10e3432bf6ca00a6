#pragma once

// What the compute engine runs on. Standard library only in this header, so callers outside
// the engine never pay for torch/torch.h.

#include <cstdint>
#include <string>
#include <vector>

namespace ckptlab::engine {

struct RuntimeInfo {
    std::string libtorchVersion;
    int intraOpThreads = 1;
    bool cudaAvailable = false;
    int cudaDeviceCount = 0;
    std::vector<std::string> devices;   // "cpu", "cuda:0", ...
};

// Sets libtorch's intra-op thread count to the machine's cores (Debian's libtorch starts
// with 1) unless CKPTLAB_THREADS says otherwise. Idempotent; call once at program start.
void configureThreads();

// Models under kSmallModelParameters run faster on one thread: their thousands of tiny kernels
// per step make OpenMP's threads wait on each other, and 7-10x longer when another process
// takes a core (measured on 2 cores with the 0.5M-parameter demo model). Larger models get
// configureThreads()'s count. CKPTLAB_THREADS, when set, decides for every model.
constexpr int64_t kSmallModelParameters = 5'000'000;
void configureThreadsForModel(int64_t parameters);

RuntimeInfo runtimeInfo();

} // namespace ckptlab::engine
