#!/usr/bin/env bash
# Installs what is missing, builds a Release build, and opens ckptlab on the bundled example
# (or on what the arguments name: a project file, --import FILE, ...).
set -euo pipefail
source "$(cd "$(dirname "$0")" && pwd)/scripts/setup.sh"
if [ $# -eq 0 ]; then
  set -- --example
fi
exec "$BUILD_DIR/app/ckptlab" "$@"
