#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: install packages, build, run ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j2
