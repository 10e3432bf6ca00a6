#!/usr/bin/env bash
# Builds the engine alone (no Qt) against the Python environment's libtorch (a CUDA build of
# PyTorch) and runs the engine benchmarks on the GPU, printing their "name value unit" lines.
#
# usage: bench/engine/run_gpu_bench.sh [BUILD_DIR]          (default: build-gpu in the repo root)
# environment: DEVICE (cuda:0), PYTHON (python3), JOBS (all cores), STEPS (bench_train_step's
#              timed steps, default its own), CPU_BASELINE=1 (also the train step on this CPU),
#              ONLY_TRAIN=1 (the train-step figures alone), DEBS=DIR (a folder of Debian packages
#              (nlohmann-json3-dev, libpcre2-dev, libicu-dev, pkgconf and their libraries) to
#              unpack into the build folder, for a machine that lacks them and cannot install)
#
# Needs: cmake >= 3.21, a C++17 compiler, the CUDA toolkit that PyTorch's CMake config looks
# for (nvcc), nlohmann-json, PCRE2, ICU and pkg-config (Debian/Ubuntu: nlohmann-json3-dev
# libpcre2-dev libicu-dev pkg-config; ninja-build is used when present).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build-gpu}
device=${DEVICE:-cuda:0}
python=${PYTHON:-python3}
jobs=${JOBS:-$(nproc)}

prefix=$("$python" -c "import torch; print(torch.utils.cmake_prefix_path)")

# Build dependencies from unpacked .deb files: headers, libraries, pkg-config files (their
# /usr prefix is rewritten through PKG_CONFIG_SYSROOT_DIR) and CMake configs.
if [ -n "${DEBS:-}" ]; then
  deps=$build/deps
  mkdir -p "$deps"
  for deb in "$DEBS"/*.deb; do dpkg-deb -x "$deb" "$deps"; done
  export PATH="$deps/usr/bin:$PATH"
  export LD_LIBRARY_PATH="$deps/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export PKG_CONFIG_PATH="$deps/usr/lib/x86_64-linux-gnu/pkgconfig:$deps/usr/share/pkgconfig"
  export PKG_CONFIG_LIBDIR="$PKG_CONFIG_PATH"
  export PKG_CONFIG_SYSROOT_DIR="$deps"
  export CMAKE_PREFIX_PATH="$deps/usr${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}"
  export ICU_ROOT="$deps/usr"
fi
"$python" -c "import torch; print('# torch', torch.__version__, 'CUDA', torch.version.cuda, \
'GPU', torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'none')"
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,memory.total,clocks.max.sm,power.limit,driver_version --format=csv,noheader \
    | sed 's/^/# /'
fi

generator=()
if command -v ninja >/dev/null; then
  generator=(-G Ninja)
fi
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root/core/engine" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$prefix"
fi
targets=(bench_train_step bench_model_load bench_eval bench_tokenizer)
if [ "${ONLY_TRAIN:-0}" = 1 ]; then
  targets=(bench_train_step)
fi
cmake --build "$build" -j "$jobs" --target "${targets[@]}"

bin=$build/bench-engine
steps=()
if [ -n "${STEPS:-}" ]; then
  steps=(--steps "$STEPS")
fi
run() {
  echo
  echo "## $(basename "$1") ${*:2}"
  "$@"
}

# The fine-tuning step: fp32, then bf16 autocast (the study's setting); micro-batch = batch = 4,
# then a batch a GPU is better fed with.
run "$bin/bench_train_step" --device "$device" "${steps[@]}"
run "$bin/bench_train_step" --device "$device" --bf16 "${steps[@]}"
run "$bin/bench_train_step" --device "$device" --bf16 --batch 32 "${steps[@]}"
if [ "${CPU_BASELINE:-0}" = 1 ]; then
  run "$bin/bench_train_step" --device cpu
fi
if [ "${ONLY_TRAIN:-0}" = 1 ]; then
  exit 0
fi

# Loading and evaluation (a random Pythia-160M written once to the temp folder).
run "$bin/bench_model_load" --device "$device" --dtype fp32
run "$bin/bench_model_load" --device "$device" --dtype bf16
run "$bin/bench_eval" --device "$device" --dtype bf16

# The tokenizer runs on the CPU; only where the shared tokenizer data is there.
if [ -d "$root/../shared/data/tokenizers" ] || [ -d "$root/shared/data/tokenizers" ]; then
  tokenizers=$root/../shared/data/tokenizers
  [ -d "$tokenizers" ] || tokenizers=$root/shared/data/tokenizers
  run "$bin/bench_tokenizer" --tokenizer "$tokenizers/neox20b"
fi
