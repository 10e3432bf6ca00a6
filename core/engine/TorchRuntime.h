#pragma once

// What the compute engine runs on. Standard library only in this header, so callers outside
// the engine never pay for torch/torch.h.

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

RuntimeInfo runtimeInfo();

} // namespace ckptlab::engine
