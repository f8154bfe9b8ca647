#!/usr/bin/env bash
# The whole ctest suite under AddressSanitizer + UndefinedBehaviorSanitizer (issue #8), in its own
# build folder (build-asan/, RelWithDebInfo, no viewer, no benchmarks). Any sanitizer report fails
# the test that triggered it. Leaks are checked (LeakSanitizer) with tests/fuzz/lsan.supp, which
# silences only the process-lifetime caches of GDAL/PROJ/GEOS and their dependencies.
#   bash scripts/sanitize.sh                # configure if needed, build, run every test
#   bash scripts/sanitize.sh -R bad_inputs  # extra arguments go to ctest
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${SANITIZE_BUILD_DIR:-build-asan}
GEN=""
command -v ninja >/dev/null && GEN="-G Ninja"
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  cmake -S . -B "$BUILD_DIR" $GEN -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNEXUSMAP_SANITIZE=ON \
    -DNEXUSMAP_BUILD_VIEWER=OFF -DNEXUSMAP_BUILD_BENCH=OFF
fi
cmake --build "$BUILD_DIR" -j"$(nproc)"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1"
export LSAN_OPTIONS="suppressions=$PWD/tests/fuzz/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export NEXUSMAP_PROGRESS=0
ctest --test-dir "$BUILD_DIR" --output-on-failure -j"$(nproc)" --timeout 1800 "$@"
