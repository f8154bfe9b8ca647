#!/usr/bin/env bash
# Builds the libFuzzer targets in tests/fuzz/ with clang (fuzzer + ASan + UBSan) and runs each for
# a bounded time on its seed corpus (issue #8). Needs: clang, libclang-rt-14-dev (Debian 12).
#   FUZZ_SECONDS=60 bash scripts/fuzz.sh            # every target, 60 s each (default)
#   FUZZ_SECONDS=600 bash scripts/fuzz.sh dates     # one target, longer
# Seeds are read from tests/fuzz/corpus_<target>/ and never written to; inputs found while fuzzing go
# to build-fuzz/corpus_<target>/, crashes to build-fuzz/artifacts/ (the script then fails).
# Reproduce a crash: build-fuzz/fuzz_<target> build-fuzz/artifacts/crash-...
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${FUZZ_SECONDS:-60}
OUT=${FUZZ_BUILD_DIR:-build-fuzz}
CXX=${FUZZ_CXX:-clang++}
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(events_csv dates cli_args crs project)
if ! command -v "$CXX" >/dev/null; then
  echo "fuzz.sh: $CXX not found (apt-get install -y clang libclang-rt-14-dev)" >&2; exit 2
fi
mkdir -p "$OUT/obj" "$OUT/artifacts"
FLAGS=(-std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined
       -fno-sanitize-recover=undefined -Igeo/include -Igeo/src -Iapp -I/usr/include/gdal
       -DNEXUSMAP_SOURCE_DIR="\"$PWD\"")
LIBS=(-lgdal -lproj -lgeos_c -lpthread)
# Engine sources the targets reach (events -> layers -> GEOS helpers, atomic output; CRS), plus
# the CLI's argument helpers. Objects are rebuilt only when their source is newer. fuzz_project
# needs none of them: the viewer's project parser is header-only (app/viewer/project.hpp, no GL).
SRCS=(geo/src/events.cpp geo/src/csv.cpp geo/src/dates.cpp geo/src/crs.cpp geo/src/layers.cpp
      geo/src/geos_util.cpp geo/src/atomic_file.cpp geo/src/precision.cpp geo/src/provenance.cpp
      geo/src/resources.cpp geo/src/output.cpp geo/src/qml.cpp geo/src/style.cpp geo/src/raster.cpp
      geo/src/export.cpp geo/src/countries.cpp geo/src/text.cpp app/cli/common.cpp app/cli/habits.cpp tests/fuzz/cli_stubs.cpp)
objs=()
pids=()
for s in "${SRCS[@]}"; do
  o="$OUT/obj/$(echo "$s" | tr / _).o"
  objs+=("$o")
  if [ ! -f "$o" ] || [ "$s" -nt "$o" ] || [ "$0" -nt "$o" ] || \
     [ -n "$(find geo/include app/cli/common.hpp geo/src/csv.hpp -newer "$o" -name '*.hpp' 2>/dev/null | head -1)" ]; then
    echo "  compile $s"
    "$CXX" "${FLAGS[@]}" -c "$s" -o "$o" &
    pids+=($!)
    if [ ${#pids[@]} -ge "$(nproc)" ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
  fi
done
for p in "${pids[@]}"; do wait "$p"; done
# Leaks: checked per input for the CSV and date targets; not for crs, where PROJ opens its
# database lazily on the first inputs (libFuzzer would report that one-time cache as a leak).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for t in "${TARGETS[@]}"; do
  src=tests/fuzz/fuzz_$t.cpp
  [ -f "$src" ] || { echo "fuzz.sh: no target $src" >&2; exit 2; }
  exe="$OUT/fuzz_$t"
  echo "== fuzz_$t: build"
  "$CXX" "${FLAGS[@]/fuzzer-no-link/fuzzer}" "$src" "${objs[@]}" "${LIBS[@]}" -o "$exe"
  mkdir -p "$OUT/corpus_$t"
  echo "== fuzz_$t: ${SECS}s"
  # -timeout: one input taking > 10 s is a hang; -rss_limit_mb: a runaway allocation is a bug.
  leaks=1
  [ "$t" = crs ] && leaks=0
  # A dictionary of the format's tokens (member names), when the target has one.
  dict=()
  [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
  # FUZZ_SEED fixes libFuzzer's mutation sequence (CI uses one, so its run is reproducible).
  if ! "$exe" -seed="${FUZZ_SEED:-0}" -max_total_time="$SECS" -detect_leaks=$leaks -timeout=10 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 \
       "${dict[@]}" -artifact_prefix="$OUT/artifacts/${t}-" "$OUT/corpus_$t" "tests/fuzz/corpus_$t" > "$OUT/fuzz_$t.log" 2>&1; then
    echo "fuzz_$t FAILED; last lines of $OUT/fuzz_$t.log:" >&2
    tail -40 "$OUT/fuzz_$t.log" >&2
    status=1
  else
    grep -E "^stat::number_of_executed_units|^stat::new_units_added|Done [0-9]+ runs" "$OUT/fuzz_$t.log" | tr '\n' ' '; echo
  fi
done
exit $status
