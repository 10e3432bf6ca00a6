// Speed of the fine-tuning optimizer step (engine::fineTune: forward, completion-only loss,
// backward, global-norm clipping, AdamW) on a Pythia-70M-shaped GPT-NeoX (6 layers, width 512,
// 8 heads, MLP 2048, vocab 50304, rotary pct 0.25, parallel residual) with random weights, built
// in memory on the device; every example is exactly --seq tokens (no padding), fp32 weights.
// Prints "name value unit" lines: seconds per optimizer step and tokens/s (warm-up steps
// excluded; CUDA synchronised at every step boundary), the model FLOPs of a step (6 x parameters
// x tokens), the FLOP/s that makes, the device's measured matmul peak (engine/DevicePeak.h, in
// the dtype the matmuls run in: bf16 under --bf16 on CUDA, else fp32) and the model FLOP
// utilisation (MFU) against it; also the "PaLM" variant (6 x non-embedding parameters + 12 x
// layers x width x seq per token, i.e. without the input embedding lookup, with attention).
// Asserts nothing.
//
// usage: bench_train_step [--device cpu|cuda:0] [--steps N] [--warmup N] [--seq N] [--batch N]
//                         [--micro-batch N] [--bf16] [--peak-seconds S]
//   --steps   timed optimizer steps (default 3 on CPU, 20 on CUDA)
//   --warmup  untimed steps first (default 1 on CPU, 3 on CUDA)
//   --batch   examples per optimizer step (default 4); --micro-batch per forward (default = batch)
//   --bf16    forward under CUDA bf16 autocast (TrainConfig::autocastBf16); ignored on CPU
//
// CPU figures depend on the environment, which the "# env:" line records: on a VM where a first
// touch of fresh memory traps to the host, GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (transparent
// huge pages for malloc'ed tensors) can halve the step; on a machine busy with other work,
// OMP_WAIT_POLICY=passive (or CKPTLAB_THREADS=1) avoids OpenMP threads spinning against it.

#include "BenchRandomModel.h"
#include "BenchSupport.h"
#include "engine/model/CausalLM.h"
#include "engine/DevicePeak.h"
#include "engine/EngineError.h"
#include "engine/TorchRuntime.h"
#include "engine/train/Trainer.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <numeric>
#include <random>
#include <string>
#include <vector>

using namespace ckptlab::engine;
using ckptlab::bench::Clock;
using ckptlab::bench::figure;

namespace {

struct Options {
    std::string device = "cpu";
    int steps = 0;   // 0: by device
    int warmup = -1; // -1: by device
    int64_t seq = 256;
    int batch = 4;
    int microBatch = 0;
    bool bf16 = false;
    double peakSeconds = 0.0; // 0: by device
};

Options parse(int argc, char** argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
        const auto take = [&] {
            if (!value) {
                std::fprintf(stderr, "bench_train_step: %s needs a value\n", arg.c_str());
                std::exit(2);
            }
            ++i;
            return value;
        };
        if (arg == "--bf16")
            o.bf16 = true;
        else if (arg == "--device")
            o.device = take();
        else if (arg == "--steps")
            o.steps = std::max(1, std::atoi(take()));
        else if (arg == "--warmup")
            o.warmup = std::max(0, std::atoi(take()));
        else if (arg == "--seq")
            o.seq = std::max<int64_t>(2, std::atoll(take()));
        else if (arg == "--batch")
            o.batch = std::max(1, std::atoi(take()));
        else if (arg == "--micro-batch")
            o.microBatch = std::max(0, std::atoi(take()));
        else if (arg == "--peak-seconds")
            o.peakSeconds = std::max(0.05, std::atof(take()));
        else {
            std::fprintf(stderr,
                         "usage: bench_train_step [--device cpu|cuda:0] [--steps N] [--warmup N] [--seq N] "
                         "[--batch N] [--micro-batch N] [--bf16] [--peak-seconds S]\n");
            std::exit(2);
        }
    }
    const bool cuda = o.device.rfind("cuda", 0) == 0;
    if (o.steps == 0)
        o.steps = cuda ? 20 : 3;
    if (o.warmup < 0)
        o.warmup = cuda ? 3 : 1;
    if (o.peakSeconds == 0.0)
        o.peakSeconds = cuda ? 2.0 : 1.0;
    return o;
}

// `count` examples of exactly `seq` tokens: a prompt, then a completion of a quarter of them
// (the loss tokens), random ids away from 0 (Pythia's EOS).
std::vector<TrainExample> syntheticExamples(int count, int64_t seq, int64_t vocab)
{
    std::mt19937_64 random(1234);
    std::uniform_int_distribution<int64_t> id(1, vocab - 1);
    const int64_t completion = std::max<int64_t>(1, seq / 4);
    std::vector<TrainExample> out(static_cast<size_t>(count));
    for (TrainExample& e : out) {
        for (int64_t i = 0; i < seq - completion; ++i)
            e.prompt.push_back(id(random));
        for (int64_t i = 0; i < completion; ++i)
            e.completion.push_back(id(random));
    }
    return out;
}

} // namespace

int main(int argc, char** argv)
{
    const Options o = parse(argc, argv);
    try {
        configureThreads();
        const RuntimeInfo info = runtimeInfo();
        const bool cuda = o.device.rfind("cuda", 0) == 0;
        const bool bf16 = o.bf16 && cuda;
        if (o.bf16 && !cuda)
            std::printf("# --bf16 ignored: autocast is CUDA only, the CPU step runs in fp32\n");

        // The peak first: it also checks the device (EngineError when it is not there).
        const double peak = measureMatmulPeakFlops(o.device, o.peakSeconds, bf16 ? "bf16" : "fp32");
        const torch::Device device(o.device);
        const auto sync = [&] {
            if (device.is_cuda())
                torch::cuda::synchronize(device.has_index() ? device.index() : -1);
        };

        const ckptlab::bench::PythiaShape shape = ckptlab::bench::pythia70mShape();
        CausalLM model = ckptlab::bench::randomPythia(shape, torch::TensorOptions().dtype(torch::kFloat).device(device));
        const ModelConfig& config = model->config();
        const auto parameters = static_cast<double>(model->parameterCount());
        const double embedding = static_cast<double>(config.vocabSize) * static_cast<double>(config.hiddenSize);

        const int totalSteps = o.warmup + o.steps;
        const std::vector<TrainExample> examples = syntheticExamples(totalSteps * o.batch, o.seq, config.vocabSize);
        TrainConfig train;
        train.epochs = 1;
        train.learningRate = 1e-5;
        train.warmupRatio = 0.0;
        train.effectiveBatch = o.batch;
        train.microBatch = o.microBatch;
        train.maxLength = o.seq;
        train.autocastBf16 = bf16;
        train.maxSteps = totalSteps;

        std::printf("# libtorch %s, %d threads, device %s, %s, model %s-shaped (%.2fM parameters), seq %lld, "
                    "batch %d (micro-batch %d), %d timed steps after %d warm-up\n",
                    info.libtorchVersion.c_str(), info.intraOpThreads, o.device.c_str(),
                    bf16 ? "fp32 weights, bf16 autocast" : "fp32", shape.name, parameters / 1e6,
                    static_cast<long long>(o.seq), o.batch, o.microBatch > 0 ? std::min(o.microBatch, o.batch) : o.batch,
                    o.steps, o.warmup);
        std::printf("# blas: %s\n", blasName(o.device).c_str());
        std::printf("# env:");
        for (const char* name : {"CKPTLAB_THREADS", "OMP_NUM_THREADS", "OMP_WAIT_POLICY", "GLIBC_TUNABLES"}) {
            const char* value = std::getenv(name);
            std::printf(" %s=%s", name, value ? value : "(unset)");
        }
        std::printf("\n");
        std::fflush(stdout);

        // A time stamp after every optimizer step, the device drained first.
        std::vector<Clock::time_point> stamps;
        std::vector<double> losses;
        sync();
        const auto start = Clock::now();
        const TrainReport report = fineTune(model, examples, train, [&](const TrainProgress& p) {
            sync();
            stamps.push_back(Clock::now());
            losses.push_back(p.loss);
        });
        if (static_cast<int>(stamps.size()) != totalSteps)
            throw std::runtime_error("fineTune ran " + std::to_string(stamps.size()) + " steps, not "
                                     + std::to_string(totalSteps));

        std::vector<double> stepSeconds;
        for (int s = o.warmup; s < totalSteps; ++s) {
            const auto from = s == 0 ? start : stamps[static_cast<size_t>(s - 1)];
            stepSeconds.push_back(std::chrono::duration<double>(stamps[static_cast<size_t>(s)] - from).count());
        }
        const double mean = std::accumulate(stepSeconds.begin(), stepSeconds.end(), 0.0) / stepSeconds.size();
        const double fastest = *std::min_element(stepSeconds.begin(), stepSeconds.end());
        const double tokensPerStep = static_cast<double>(report.tokens) / totalSteps;
        const double modelFlops = 6.0 * parameters * tokensPerStep;
        const double palmFlops = (6.0 * (parameters - embedding)
                                  + 12.0 * config.numLayers * config.hiddenSize * static_cast<double>(o.seq))
            * tokensPerStep;

        figure("parameters", parameters / 1e6, "M");
        figure("tokens_per_step", tokensPerStep, "tok");
        figure("threads", info.intraOpThreads, "threads");
        figure("step_seconds", mean, "s");
        figure("step_seconds_min", fastest, "s");
        figure("train_tokens_per_s", tokensPerStep / mean, "tok/s");
        figure("model_flops_per_step", modelFlops / 1e9, "GFLOP");
        figure("achieved_flops_per_s", modelFlops / mean / 1e9, "GFLOP/s");
        figure(std::string("matmul_peak_") + (bf16 ? "bf16" : "fp32") + "_flops_per_s", peak / 1e9, "GFLOP/s");
        figure("mfu", modelFlops / mean / peak, "fraction");
        figure("mfu_palm", palmFlops / mean / peak, "fraction");
        figure("loss_last_step", losses.back(), "nats");
        if (report.outOfMemoryRetries > 0)
            figure("out_of_memory_micro_batch", report.finalMicroBatch, "seq");
    } catch (const std::exception& error) {
        std::fprintf(stderr, "bench_train_step: %s\n", error.what());
        return 1;
    }
    return 0;
}
