#!/usr/bin/env bash
# Shared by run.sh and test.sh: install what is missing (Debian 12), then configure and build.
# Sourcing it leaves BUILD_DIR set to the Release build folder.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${CKPTLAB_BUILD_DIR:-$ROOT/build}"

PACKAGES=(
  cmake ninja-build g++ ccache pkg-config python3
  qt6-base-dev qt6-svg-dev libqt6sql6-sqlite libqcustomplot-dev
  libtorch-dev libopenblas0-openmp nlohmann-json3-dev libpcre2-dev libicu-dev
  xvfb xauth fonts-dejavu-core
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "ckptlab: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "ckptlab: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    SUDO="sudo"
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Debian's libtorch must run its matrix products on OpenBLAS (OpenMP build), not the
# reference BLAS, which is ~30x slower. Debian selects it through alternatives.
if [ -e /usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3 ] && command -v update-alternatives >/dev/null; then
  current=$(update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | awk '/^Value:/ {print $2}')
  if [ "$current" != "/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3" ] && [ "$(id -u)" -eq 0 ]; then
    update-alternatives --set libblas.so.3-x86_64-linux-gnu /usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3 >/dev/null || true
    update-alternatives --set liblapack.so.3-x86_64-linux-gnu /usr/lib/x86_64-linux-gnu/openblas-openmp/liblapack.so.3 >/dev/null 2>&1 || true
  fi
fi

# Clones in other folders (CI) reuse the compile cache: paths are hashed relative to the root.
export CCACHE_BASEDIR="$ROOT"
export CCACHE_NOHASHDIR=1
JOBS="${CKPTLAB_JOBS:-$(nproc)}"
cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release ${CKPTLAB_CMAKE_ARGS:-}
cmake --build "$BUILD_DIR" -j "$JOBS"
