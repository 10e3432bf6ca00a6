#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test suite. Non-zero exit on any failure.
set -euo pipefail
source "$(cd "$(dirname "$0")" && pwd)/scripts/setup.sh"
export QT_QPA_PLATFORM=offscreen
cd "$BUILD_DIR"
ctest --output-on-failure -j "${CKPTLAB_TEST_JOBS:-2}" --timeout 600
