#!/usr/bin/env bash
# Whole-process timings as a user waits for them (issue #17): each command-line row of the issue's
# table, the median of --runs calls of the real program (wall and CPU = user + sys), with the
# problem size, and QGIS side by side when qgis_process is installed. Prints Markdown rows for
# bench/RESULTS.md. Never run by ctest.
#
#   bash bench/whole_process.sh [--runs 5] [--build build] [--points 1000,100000,1000000]
#                               [--scale 10000000] [--no-scale] [--no-qgis] [--viewer]
#
# Rows: `nexusmap --version`; density (quartic, 50 km, 1 km cells) of 1k/100k/1M clustered points
# on the issue's 1765 x 1750 grid (--extent bbox:-5.935,4.15,9.935,19.85 in the default LAEA) and on
# the data's extent (as QGIS sizes it); loading alone (`info`) of a plain lat/lon/date CSV of 1M rows
# (~30 MB, the issue's 29 MB file) with its MB/s; the scale row: a 10M-event lat/lon/date CSV to a
# 5 km density of West Africa, with the peak resident memory. Points: bench_io --write-points
# (bench_kde's seeded generator: 12 Gaussian clusters + 10 % uniform over 3000 x 2000 km); the
# plain CSVs: uniform over 4-20N, 17W-16E with dates, from awk's seeded generator.
# QGIS: qgis:heatmapkerneldensityestimation on the same points (GeoPackage in the same LAEA), 1 km,
# data extent (bench/qgis_compare.sh's call), one run per size (it takes 8-95 s).
# The viewer rows (--viewer) come from bench/viewer_frames.sh (--bench-frames under Xvfb).
# The machine's load average is printed at the start and the end: other work on a shared VM
# inflates the wall times (the CPU column is less sensitive to it).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=5 BUILD=${BUILD:-build} POINTS=1000,100000,1000000 SCALE=10000000 QGIS=1 VIEWER=0
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --points) POINTS=$2; shift 2 ;;
    --scale) SCALE=$2; shift 2 ;;
    --no-scale) SCALE=0; shift ;;
    --no-qgis) QGIS=0; shift ;;
    --viewer) VIEWER=1; shift ;;
    --no-viewer) VIEWER=0; shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "whole_process: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
NX=$BUILD/app/nexusmap
BENCH_IO=$BUILD/bench/bench_io
for f in "$NX" "$BENCH_IO"; do
  [ -x "$f" ] || { echo "whole_process: $f not found; build it first (cmake --build $BUILD)" >&2; exit 2; }
done
command -v bc >/dev/null || { echo "whole_process: needs bc" >&2; exit 2; }
QP=${QGIS_PROCESS:-}
if [ "$QGIS" = 1 ] && [ -z "$QP" ] && command -v qgis_process >/dev/null 2>&1; then
  QP=$(command -v qgis_process)
  [ -x "$QP.bin" ] && QP="$QP.bin" # Debian's wrapper passes an option 3.22 refuses (see qgis_compare.sh)
fi
[ "$QGIS" = 1 ] || QP=
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export QT_QPA_PLATFORM=offscreen
median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
# time_cmd CMD...: "WALL CPU PEAK_KB", medians of RUNS calls (one untimed warm-up call first, so the
# page cache holds the program and its input as it would for a user's second command).
time_cmd() {
  "$@" >/dev/null 2>"$tmp/err" || { echo "whole_process: failed: $*" >&2; tail -5 "$tmp/err" >&2; exit 1; }
  local walls=() cpus=() peaks=()
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f '%e %U %S %M' -o "$tmp/t" "$@" >/dev/null 2>&1
    read -r w u s m <"$tmp/t"
    walls+=("$w") cpus+=("$(echo "$u + $s" | bc -l)") peaks+=("$m")
  done
  echo "$(printf '%s\n' "${walls[@]}" | median) $(printf '%s\n' "${cpus[@]}" | median) $(printf '%s\n' "${peaks[@]}" | median)"
}
# GNU time prints centiseconds: the --version row is the mean of 20 x RUNS calls in one timed loop.
time_fast() {
  "$@" >/dev/null
  local k=$((20 * RUNS)) t0 t1
  t0=$(date +%s.%N)
  for _ in $(seq "$k"); do "$@" >/dev/null; done
  t1=$(date +%s.%N)
  echo "($t1 - $t0) / $k" | bc -l
}
qgis_time() { # GPKG -> seconds of one qgis_process heatmap at 1 km, data extent
  local t0 t1
  t0=$(date +%s.%N)
  "$QP" run qgis:heatmapkerneldensityestimation -- INPUT="$1" RADIUS=50000 PIXEL_SIZE=1000 KERNEL=0 \
    OUTPUT_VALUE=0 OUTPUT="$tmp/qgis.tif" >"$tmp/qgis.log" 2>&1 || { echo "-"; return; }
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
size_of() { gdalinfo "$1" 2>/dev/null | sed -n 's/^Size is \([0-9]*\), \([0-9]*\)/\1 x \2/p'; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average at start $(cut -d' ' -f1-3 /proc/loadavg); median of $RUNS; $(${QP:-false} --version 2>/dev/null | grep -m1 -i qgis || echo 'QGIS not installed')"
echo
echo "| job | size | nexusmap wall s | nexusmap CPU s | QGIS s | QGIS / nexusmap | target s | met (wall) |"
echo "|---|---|---|---|---|---|---|---|"
row() { # job size wall cpu qgis target
  local met=- ratio=-
  if [ "$6" != "-" ]; then met=no; [ "$(echo "$3 <= $6" | bc -l)" = 1 ] && met=yes; fi
  if [ "$5" != "-" ]; then ratio=$(printf '%.0fx' "$(echo "$5 / $3" | bc -l)"); fi
  local cpu=$4
  [ "$cpu" != "-" ] && cpu=$(printf '%.2f' "$cpu")
  printf '| %s | %s | %.3f | %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$cpu" "$5" "$ratio" "$6" "$met"
}
v=$(time_fast /bin/true)
row "process floor: /bin/true" "(mean of $((20 * RUNS)) calls)" "$v" "-" "-" "-"
v=$(time_fast "$NX" --version)
row "nexusmap --version" "(mean of $((20 * RUNS)) calls)" "$v" "-" "-" 0.02
declare -A target=([1000]=0.06 [100000]=0.2 [1000000]=0.5)
BBOX=bbox:-5.935,4.15,9.935,19.85
for n in ${POINTS//,/ }; do
  "$BENCH_IO" --write-points "$tmp/p$n" --rows "$n" --seed 1 >/dev/null
  csv="$tmp/p$n/points.csv"
  mb=$(echo "scale=1; $(stat -c %s "$csv") / 1000000" | bc -l)
  common=(density "$csv" --kernel quartic --bandwidth-km 50 --cell-km 1 --force --quiet)
  read -r w c _ <<<"$(time_cmd "$NX" "${common[@]}" -o "$tmp/b$n.tif" --extent "$BBOX")"
  row "density, $n points, 1 km, issue grid" "$(size_of "$tmp/b$n.tif") cells, CSV ${mb} MB" "$w" "$c" "-" "${target[$n]:--}"
  read -r w c _ <<<"$(time_cmd "$NX" "${common[@]}" -o "$tmp/d$n.tif" --extent data)"
  q=-
  if [ -n "$QP" ] && [ "$n" -ge 100000 ]; then q=$(qgis_time "$tmp/p$n/points.gpkg"); fi
  row "density, $n points, 1 km, data extent" "$(size_of "$tmp/d$n.tif") cells" "$w" "$c" "$q" "-"
  rm -f "$tmp/p$n/points.gpkg" "$tmp/b$n.tif" "$tmp/d$n.tif"
done
plain() { # ROWS FILE: a plain lat/lon/date CSV
  awk -v N="$1" 'BEGIN{srand(2); print "latitude,longitude,event_date"; for(i=0;i<N;i++) printf "%.6f,%.6f,%04d-%02d-%02d\n", 4+rand()*16, -17+rand()*33, 1997+int(rand()*28), 1+int(rand()*12), 1+int(rand()*28)}' >"$2"
}
plain 1000000 "$tmp/plain1m.csv"
bytes=$(stat -c %s "$tmp/plain1m.csv")
plain 10 "$tmp/plain10.csv"
read -r w0 _ _ <<<"$(time_cmd "$NX" info "$tmp/plain10.csv")"
read -r w c _ <<<"$(time_cmd "$NX" info "$tmp/plain1m.csv")"
mbs=$(echo "$bytes / 1000000 / ($w - $w0)" | bc -l)
row "info (load + summary), plain lat/lon/date, 1M rows" "CSV $((bytes / 1000000)) MB; $(printf '%.0f' "$mbs") MB/s past start-up (10-row file: $(printf '%.3f' "$w0") s)" "$w" "$c" "-" "-"
rm -f "$tmp/plain1m.csv"
if [ "$SCALE" -gt 0 ]; then
  plain "$SCALE" "$tmp/scale.csv"
  bytes=$(stat -c %s "$tmp/scale.csv")
  RUNS_SAVED=$RUNS; RUNS=$(( RUNS < 3 ? RUNS : 3 ))
  read -r w c peak <<<"$(time_cmd "$NX" density "$tmp/scale.csv" -o "$tmp/scale.tif" --bandwidth-km 50 --cell-km 5 \
                         --extent bbox:-17.6,4,16.1,20.1 --force --quiet)"
  RUNS=$RUNS_SAVED
  row "density, $SCALE events, 5 km, West Africa" "CSV $((bytes / 1000000)) MB, $(size_of "$tmp/scale.tif") cells, peak RSS $((peak / 1024)) MB (limit 4096)" "$w" "$c" "-" 5
  rm -f "$tmp/scale.csv"
fi
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$VIEWER" = 1 ] && command -v xvfb-run >/dev/null; then
  echo
  echo "viewer (20k events, llvmpipe under Xvfb 1600x1000):"
  bash bench/viewer_frames.sh "$BUILD" 20000 30 || true
fi
