#include "engine/DevicePeak.h"

#include "engine/EngineError.h"
#include "engine/TorchRuntime.h"

#include <ATen/Context.h>
#include <ATen/Version.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

// dlsym/dladdr live in libc from glibc 2.34 on; before that they need -ldl, which the engine
// does not link, so older systems report the BLAS without its run-time details.
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
#include <dlfcn.h>
#define CKPTLAB_HAVE_DLSYM 1
#endif

namespace ckptlab::engine {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

torch::Device checkedDevice(const std::string& name)
{
    const std::string what = "device " + name;
    torch::Device device(torch::kCPU);
    try {
        device = torch::Device(name);
    } catch (const std::exception&) {
        throw EngineError(what, "is not a device name (use cpu, cuda or cuda:N)");
    }
    if (device.is_cpu())
        return device;
    if (!device.is_cuda())
        throw EngineError(what, "is not supported (use cpu or cuda)");
    if (!torch::cuda::is_available())
        throw EngineError(what, "requested but CUDA is not available (no GPU, or a CPU-only libtorch)");
    const auto count = static_cast<int64_t>(torch::cuda::device_count());
    if (device.has_index() && device.index() >= count)
        throw EngineError(what, "does not exist (" + std::to_string(count) + " CUDA device(s))");
    if (!device.has_index())
        device = torch::Device(torch::kCUDA, 0);
    return device;
}

torch::ScalarType checkedDtype(const std::string& name)
{
    if (name == "fp32" || name == "float32" || name == "float")
        return torch::kFloat;
    if (name == "bf16" || name == "bfloat16")
        return torch::kBFloat16;
    throw EngineError("dtype " + name, "is not measured (use fp32 or bf16)");
}

void synchronize(const torch::Device& device)
{
    if (device.is_cuda())
        torch::cuda::synchronize(device.index());
}

// Best rate over short timed windows of n x n products, after a warm-up.
double bestRate(int64_t n, const torch::Device& device, torch::ScalarType dtype, double budget)
{
    const auto options = torch::TensorOptions().dtype(dtype).device(device);
    const torch::Tensor a = torch::randn({n, n}, options);
    const torch::Tensor b = torch::randn({n, n}, options);
    torch::Tensor c = torch::empty({n, n}, options);
    const double flops = 2.0 * static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n);

    // Warm-up: thread pools, cuBLAS handle and workspace, GPU clocks; at least two products.
    synchronize(device);
    const auto warmStart = Clock::now();
    int warm = 0;
    while (warm < 2 || since(warmStart) < std::min(0.05, budget / 4.0)) {
        torch::mm_out(c, a, b);
        synchronize(device);
        ++warm;
    }
    const double perProduct = since(warmStart) / warm;
    // About four windows per size, each a whole number of products.
    const int perWindow = std::max(1, static_cast<int>(budget / 4.0 / std::max(perProduct, 1e-9)));
    double best = 0.0, spent = 0.0;
    do {
        const auto start = Clock::now();
        for (int i = 0; i < perWindow; ++i)
            torch::mm_out(c, a, b);
        synchronize(device);
        const double elapsed = since(start);
        spent += elapsed;
        if (elapsed > 0.0)
            best = std::max(best, flops * perWindow / elapsed);
    } while (spent < budget);
    return best;
}

// KEY=value out of show_config()'s "Build settings: A=1, B=2, ..." line; empty when absent.
std::string buildSetting(const std::string& config, const std::string& key)
{
    const std::string needle = key + "=";
    size_t at = config.find(needle);
    while (at != std::string::npos && at > 0 && config[at - 1] != ' ' && config[at - 1] != ',')
        at = config.find(needle, at + 1);
    if (at == std::string::npos)
        return {};
    const size_t begin = at + needle.size();
    const size_t end = config.find_first_of(",\n", begin);
    return config.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

std::string cpuRuntimeBlas()
{
    std::vector<std::string> parts;
#ifdef CKPTLAB_HAVE_DLSYM
    using ConfigFn = char* (*)();
    using IntFn = int (*)();
    if (auto config = reinterpret_cast<ConfigFn>(dlsym(RTLD_DEFAULT, "openblas_get_config"))) {
        std::string text = config();
        if (auto parallel = reinterpret_cast<IntFn>(dlsym(RTLD_DEFAULT, "openblas_get_parallel"))) {
            const int mode = parallel();
            text += mode == 0 ? ", sequential" : mode == 1 ? ", pthreads" : mode == 2 ? ", OpenMP" : "";
        }
        if (auto threads = reinterpret_cast<IntFn>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads")))
            text += ", " + std::to_string(threads()) + " threads";
        parts.push_back(text);
    }
#endif
    if (at::hasMKL())
        parts.push_back(at::get_mkl_version());
#ifdef CKPTLAB_HAVE_DLSYM
    // The file whose sgemm_ the process binds to (Debian's libblas.so.3 alternative, say).
    Dl_info info{};
    if (void* sgemm = dlsym(RTLD_DEFAULT, "sgemm_"); sgemm && dladdr(sgemm, &info) && info.dli_fname) {
        std::error_code error;
        const auto file = std::filesystem::canonical(info.dli_fname, error);
        parts.push_back(std::string("sgemm_ from ") + (error ? info.dli_fname : file.string()));
    }
#endif
    std::string out;
    for (const std::string& part : parts)
        out += (out.empty() ? "" : "; ") + part;
    return out;
}

} // namespace

double measureMatmulPeakFlops(const std::string& device, double seconds, const std::string& dtype)
{
    configureThreads();
    const torch::Device target = checkedDevice(device);
    const torch::ScalarType type = checkedDtype(dtype);
    const std::vector<int64_t> sizes = target.is_cuda() ? std::vector<int64_t>{4096, 8192}
                                                        : std::vector<int64_t>{1024, 2048};
    const double budget = std::max(seconds, 0.01) / static_cast<double>(sizes.size());
    torch::NoGradGuard noGrad;
    double best = 0.0;
    for (const int64_t n : sizes)
        best = std::max(best, bestRate(n, target, type, budget));
    return best;
}

std::string blasName(const std::string& device)
{
    std::string config;
    try {
        config = at::show_config();
    } catch (const std::exception&) {
    }
    const bool cuda = device.rfind("cuda", 0) == 0;
    std::string out;
    if (cuda) {
        out = "cuBLAS";
        const std::string version = buildSetting(config, "CUDA_VERSION");
        if (!version.empty())
            out += " (CUDA " + version + ")";
        out += at::globalContext().allowTF32CuBLAS() ? ", TF32 allowed" : ", TF32 off";
        return out;
    }
    out = cpuRuntimeBlas();
    const std::string built = buildSetting(config, "BLAS_INFO");
    if (!built.empty())
        out += (out.empty() ? "" : "; ") + std::string("libtorch BLAS_INFO=") + built;
    return out.empty() ? "unknown" : out;
}

} // namespace ckptlab::engine
