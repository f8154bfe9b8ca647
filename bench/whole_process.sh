#!/usr/bin/env bash
# Whole-process timings as a user waits for them (issue #17): each row of the issue's table, the
# median of --runs calls of the real program, with the problem size, and QGIS side by side when
# qgis_process is installed (bench/qgis_compare.sh does the QGIS runs). Prints Markdown rows for
# bench/RESULTS.md. Never run by ctest.
#
#   bash bench/whole_process.sh [--runs 5] [--build build] [--points 1000,100000,1000000] [--no-viewer]
#
# Points: bench_io --write-points (bench_kde's seeded generator: 12 Gaussian clusters + 10 % uniform
# over 3000 x 2000 km), as a lon/lat CSV; density runs as in qgis_compare.sh (quartic, 50 km, 1 km
# cells, extent of the data). The viewer rows come from the viewer's --bench-frames under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=5 BUILD=${BUILD:-build} POINTS=1000,100000,1000000 VIEWER=1
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --points) POINTS=$2; shift 2 ;;
    --no-viewer) VIEWER=0; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "whole_process: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
NX=$BUILD/app/nexusmap
BENCH_IO=$BUILD/bench/bench_io
for f in "$NX" "$BENCH_IO"; do
  [ -x "$f" ] || { echo "whole_process: $f not found; build it first (cmake --build $BUILD)" >&2; exit 2; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
now() { date +%s.%N; }
median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
# time_cmd CMD...: the median wall time of RUNS calls (one untimed warm-up call first, so the
# page cache holds the program and its input as it would for a user's second command).
time_cmd() {
  "$@" >/dev/null 2>"$tmp/err" || { echo "whole_process: failed: $*" >&2; tail -5 "$tmp/err" >&2; exit 1; }
  local ts=()
  for _ in $(seq "$RUNS"); do
    local t0 t1
    t0=$(now)
    "$@" >/dev/null 2>&1
    t1=$(now)
    ts+=("$(echo "$t1 - $t0" | bc -l)")
  done
  printf '%s\n' "${ts[@]}" | median
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1 /proc/loadavg); median of $RUNS"
echo
echo "| job | size | nexusmap s | target s | met |"
echo "|---|---|---|---|---|"
row() { # job size seconds target
  local met=no
  if [ "$4" = "-" ]; then met="-"; elif [ "$(echo "$3 <= $4" | bc -l)" = 1 ]; then met=yes; fi
  printf '| %s | %s | %.3f | %s | %s |\n' "$1" "$2" "$3" "$4" "$met"
}
row "nexusmap --version" "" "$(time_cmd "$NX" --version)" 0.02
declare -A target=([1000]=0.06 [100000]=0.2 [1000000]=0.5)
for n in ${POINTS//,/ }; do
  "$BENCH_IO" --write-points "$tmp/p$n" --rows "$n" --seed 1 >/dev/null
  csv="$tmp/p$n/points.csv"
  mb=$(du -m "$csv" | cut -f1)
  t=$(time_cmd "$NX" density "$csv" -o "$tmp/d$n.tif" --kernel quartic --bandwidth-km 50 --cell-km 1 \
        --extent data --force)
  size=$(gdalinfo "$tmp/d$n.tif" 2>/dev/null | sed -n 's/^Size is \([0-9]*\), \([0-9]*\)/\1 x \2/p')
  row "density, $n points, 1 km cells" "$size cells, CSV ${mb} MB" "$t" "${target[$n]:-}"
  # Loading alone: the event summary of `info` parses every row as density does.
  row "info (load + summary), $n points" "CSV ${mb} MB" "$(time_cmd "$NX" info "$csv")" "-"
done
if [ "$VIEWER" = 1 ] && command -v xvfb-run >/dev/null; then
  echo
  echo "viewer (20k events, llvmpipe under Xvfb 1600x1000):"
  bash bench/viewer_frames.sh "$BUILD" 20000 30 || true
fi
