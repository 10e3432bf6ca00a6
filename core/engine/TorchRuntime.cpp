#include "engine/TorchRuntime.h"

#include <torch/torch.h>
#include <torch/version.h>

#include <cstdlib>
#include <string>
#include <thread>

namespace ckptlab::engine {

void configureThreads()
{
    int threads = static_cast<int>(std::thread::hardware_concurrency());
    if (const char* env = std::getenv("CKPTLAB_THREADS")) {
        const int requested = std::atoi(env);
        if (requested > 0)
            threads = requested;
    }
    if (threads > 0 && torch::get_num_threads() != threads)
        torch::set_num_threads(threads);
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
