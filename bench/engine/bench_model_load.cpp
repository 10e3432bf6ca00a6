// Loading and forward speed of a Pythia-160M-shaped model (12 layers, width 768, vocab 50304)
// with random weights, written by the engine's own writer. Prints "name value unit" lines:
// the plain read time of the file (the floor a load can reach), the load time and time to the
// first forward, and forward tokens/s for a few batch shapes. Asserts nothing.
//
// usage: bench_model_load [--device cpu|cuda:0] [--dtype fp32|bf16] [--dir DIR]

#include "BenchRandomModel.h"
#include "BenchSupport.h"
#include "engine/model/CausalLM.h"
#include "engine/model/ModelConfig.h"
#include "engine/model/ModelLoader.h"
#include "engine/TorchRuntime.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace ckptlab::engine;
using ckptlab::bench::Clock;
using ckptlab::bench::figure;
using ckptlab::bench::seconds;
namespace fs = std::filesystem;

namespace {






double readWholeFile(const fs::path& path)
{
    const auto start = Clock::now();
    std::ifstream in(path, std::ios::binary);
    std::vector<char> buffer(1 << 24);
    while (in.read(buffer.data(), std::streamsize(buffer.size())) || in.gcount() > 0) {
    }
    return seconds(start);
}

} // namespace

int main(int argc, char** argv)
{
    std::string device = "cpu", dtype = "fp32";
    fs::path dir = fs::temp_directory_path() / "ckptlab-bench-pythia-160m";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--device"))
            device = argv[i + 1];
        else if (!std::strcmp(argv[i], "--dtype"))
            dtype = argv[i + 1];
        else if (!std::strcmp(argv[i], "--dir"))
            dir = argv[i + 1];
    }
    configureThreads();
    const RuntimeInfo info = runtimeInfo();
    std::printf("# libtorch %s, %d threads, device %s, dtype %s\n", info.libtorchVersion.c_str(), info.intraOpThreads,
                device.c_str(), dtype.c_str());

    if (!fs::exists(dir / "model.safetensors")) {
        const auto start = Clock::now();
        ckptlab::bench::writeRandomPythia160m(dir);
        figure("write_random_model", seconds(start), "s");
    }
    const auto file = dir / "model.safetensors";
    figure("file_size", double(fs::file_size(file)) / 1e6, "MB");
    readWholeFile(file); // warm the page cache so both figures below are measured alike
    const double read = readWholeFile(file);
    figure("plain_read_warm", read, "s");

    const auto loadStart = Clock::now();
    CausalLM model = loadCausalLM(dir.string(), parseModelDtype(dtype), c10::Device(device));
    const double load = seconds(loadStart);
    figure("load", load, "s");
    figure("load_over_plain_read", load / read, "x");
    figure("parameters", double(model->parameterCount()) / 1e6, "M");

    torch::NoGradGuard noGrad;
    const auto firstStart = Clock::now();
    auto ids = torch::randint(0, 50304, {1, 16}, torch::kLong).to(c10::Device(device));
    auto logits = model->forward(ids);
    if (device != "cpu")
        torch::cuda::synchronize();
    figure("time_to_first_forward", load + seconds(firstStart), "s");

    for (auto [batch, length] : std::vector<std::pair<int, int>>{{1, 128}, {8, 128}, {1, 512}}) {
        auto input = torch::randint(0, 50304, {batch, length}, torch::kLong).to(c10::Device(device));
        model->forward(input); // warm-up
        const int reps = 3;
        if (device != "cpu")
            torch::cuda::synchronize();
        const auto start = Clock::now();
        for (int r = 0; r < reps; ++r)
            logits = model->forward(input);
        if (device != "cpu")
            torch::cuda::synchronize();
        const double elapsed = seconds(start) / reps;
        const std::string name = "forward_tokens_per_s_b" + std::to_string(batch) + "_t" + std::to_string(length);
        figure(name.c_str(), batch * length / elapsed, "tok/s");
    }
    return 0;
}
