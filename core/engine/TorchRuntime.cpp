#include "engine/TorchRuntime.h"

#include <torch/torch.h>
#include <torch/version.h>

#include <cstdlib>
#include <malloc.h>
#include <string>
#include <thread>

namespace ckptlab::engine {

namespace {

// glibc gives every allocation over 32 MiB (logits, their gradients, activations) a fresh
// mapping and returns it on free, so each training step faults all of it in again, page by
// page; in some VMs first touches cost ~10 ms per MiB. Keeping large blocks in the heap lets
// the next step reuse pages that are already mapped. CKPTLAB_KEEP_MMAP=1 keeps glibc's default.
void keepLargeAllocationsInHeap()
{
    static bool done = false;
    if (done)
        return;
    done = true;
    if (const char* env = std::getenv("CKPTLAB_KEEP_MMAP"); env && std::string(env) == "1")
        return;
    mallopt(M_MMAP_MAX, 0);              // no per-allocation mappings (glibc caps the threshold at 32 MiB)
    mallopt(M_TRIM_THRESHOLD, 1 << 30);  // and freed heap memory is kept for reuse
}

} // namespace

void configureThreads()
{
    keepLargeAllocationsInHeap();
    int threads = static_cast<int>(std::thread::hardware_concurrency());
    if (const char* env = std::getenv("CKPTLAB_THREADS")) {
        const int requested = std::atoi(env);
        if (requested > 0)
            threads = requested;
    }
    if (threads > 0 && torch::get_num_threads() != threads)
        torch::set_num_threads(threads);
}

void configureThreadsForModel(int64_t parameters)
{
    configureThreads();
    if (std::getenv("CKPTLAB_THREADS") == nullptr && parameters > 0 && parameters < kSmallModelParameters)
        torch::set_num_threads(1);
}

RuntimeInfo runtimeInfo()
{
    RuntimeInfo info;
    info.libtorchVersion = TORCH_VERSION;
    info.intraOpThreads = torch::get_num_threads();
    info.cudaAvailable = torch::cuda::is_available();
    info.cudaDeviceCount = info.cudaAvailable ? static_cast<int>(torch::cuda::device_count()) : 0;
    info.devices.push_back("cpu");
    for (int i = 0; i < info.cudaDeviceCount; ++i)
        info.devices.push_back("cuda:" + std::to_string(i));
    return info;
}

} // namespace ckptlab::engine
