#pragma once

// What a device can do at best: the measured rate of large square matrix products, the
// denominator of a model FLOP utilisation (MFU), and the BLAS library that does the work.
// Standard library only in this header; torch stays in DevicePeak.cpp.

#include <string>

namespace ckptlab::engine {

// The best sustained rate, in FLOP/s (2 n^3 per n x n product), of square matrix products on
// `device` ("cpu", "cuda", "cuda:1", ...) in `dtype` ("fp32"/"float32", or "bf16"/"bfloat16":
// tensor cores on CUDA; on a CPU whatever its BLAS/oneDNN does with bf16). Sizes that reach
// peak are tried (1024 and 2048 on a CPU, 4096 and 8192 on CUDA), each warmed up first, then
// timed in short windows (CUDA synchronised around each) for about `seconds` in all; the best
// window wins, so that a busy machine disturbs the figure as little as possible.
// fp32 on CUDA runs as libtorch is configured (TF32 off unless someone turned it on), i.e. as
// the model runs. Calls configureThreads() (engine/TorchRuntime.h) first. Throws EngineError
// for a device name that is not one, a device that is not there, or an unknown dtype.
double measureMatmulPeakFlops(const std::string& device = "cpu", double seconds = 0.5,
                              const std::string& dtype = "fp32");

// The matrix-product library behind `device`'s fp32 products, for benchmark headers: on a CPU
// what is loaded at run time (OpenBLAS's own configuration string with its threading and thread
// count, or MKL's version) and the library file that provides sgemm_, plus libtorch's build-time
// BLAS_INFO; on CUDA "cuBLAS" with the CUDA runtime version libtorch was built with and whether
// TF32 is allowed. Never throws; parts it cannot find are left out.
std::string blasName(const std::string& device = "cpu");

} // namespace ckptlab::engine
