#!/usr/bin/env bash
# Kernel density side by side with QGIS (issue #7): the same clustered points, the same kernel
# (quartic, 50 km radius), the same cell sizes and extent (the points' bounds padded by the radius,
# which is how QGIS's heatmap sizes its raster and what `nexusmap density --extent data` does).
# Times each whole process (median of --runs) and prints a Markdown table with the ratio.
#
#   bash bench/qgis_compare.sh [--points 100000] [--cells 1,5] [--runs 3] [--seed 1] [--build build]
#
# Needs: qgis_process (Debian: apt-get install qgis; without it the script says so and exits 0),
# the build's bench/bench_io (writes the points) and app/nexusmap, gdalinfo (value check).
# Points: bench_io --write-points, i.e. bench_kde's generator (12 Gaussian clusters + 10% uniform
# over 3000 x 2000 km) in the default LAEA CRS (+proj=laea +lat_0=12 +lon_0=2, WGS 84): a
# GeoPackage in that CRS for QGIS, the same points as lon/lat CSV for nexusmap (which projects
# them to the same CRS). QGIS runs `qgis:heatmapkerneldensityestimation` with KERNEL=0 (quartic),
# OUTPUT_VALUE=0 (raw); nexusmap runs with --value-units qgis-raw, so the maxima should agree.
set -euo pipefail
cd "$(dirname "$0")/.."
POINTS=100000 CELLS=1,5 RUNS=3 SEED=1 BUILD=${BUILD:-build}
while [ $# -gt 0 ]; do
  case "$1" in
    --points) POINTS=$2; shift 2 ;;
    --cells) CELLS=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "qgis_compare: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

# Debian 12's /usr/bin/qgis_process is a wrapper that adds QGIS_OPTS from /etc/default/qgis
# (--noversioncheck), which qgis_process 3.22 refuses ("Command --noversioncheck not known!");
# the real program beside it, qgis_process.bin, is used directly when present.
QP=${QGIS_PROCESS:-}
if [ -z "$QP" ]; then
  if command -v qgis_process >/dev/null 2>&1; then
    QP=$(command -v qgis_process)
    [ -x "$QP.bin" ] && QP="$QP.bin"
  fi
fi
if [ -z "$QP" ]; then
  echo "qgis_compare: qgis_process is not installed (apt-get install qgis); skipping the QGIS comparison."
  exit 0
fi
BENCH_IO=$BUILD/bench/bench_io
NEXUSMAP=$BUILD/app/nexusmap
for f in "$BENCH_IO" "$NEXUSMAP"; do
  [ -x "$f" ] || { echo "qgis_compare: $f not found; build it first (cmake --build $BUILD --target bench_io nexusmap)" >&2; exit 2; }
done
export QT_QPA_PLATFORM=offscreen
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

now() { date +%s.%N; }
median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
size_of() { gdalinfo "$1" 2>/dev/null | sed -n 's/^Size is \([0-9]*\), \([0-9]*\)/\1 x \2/p'; }
max_of() { gdalinfo -stats "$1" 2>/dev/null | sed -n 's/.*STATISTICS_MAXIMUM=\(.*\)/\1/p' | head -1; }

"$BENCH_IO" --write-points "$tmp" --rows "$POINTS" --seed "$SEED" >/dev/null
"$BENCH_IO" --write-points "$tmp/tiny" --rows 10 --seed "$SEED" >/dev/null
qgis_run() { # INPUT CELL_M OUTPUT
  "$QP" run qgis:heatmapkerneldensityestimation -- INPUT="$1" RADIUS=50000 PIXEL_SIZE="$2" KERNEL=0 \
    OUTPUT_VALUE=0 OUTPUT="$3" >"$tmp/qgis.log" 2>&1 || { echo "qgis_compare: qgis_process failed:" >&2; tail -20 "$tmp/qgis.log" >&2; exit 1; }
}
# QGIS's start-up (Python, providers) is part of every run; measured on 10 points for reference.
t0=$(now); qgis_run "$tmp/tiny/points.gpkg" 5000 "$tmp/tiny.tif"; t1=$(now)
startup=$(echo "$t1 - $t0" | bc -l)
version=$("$QP" --version 2>/dev/null | grep -m1 -i qgis || echo "QGIS (version unknown)")

echo "| points | cell km | QGIS grid | QGIS s | nexusmap grid | nexusmap s (1 thread) | nexusmap s (all cores) | QGIS / nexusmap (1 thread) | max QGIS raw | max nexusmap qgis-raw |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for cell in ${CELLS//,/ }; do
  cell_m=$(echo "$cell * 1000" | bc -l)
  qt=() nt1=() ntn=()
  for ((r = 0; r < RUNS; r++)); do
    t0=$(now); qgis_run "$tmp/points.gpkg" "$cell_m" "$tmp/qgis_$cell.tif"; t1=$(now)
    qt+=("$(echo "$t1 - $t0" | bc -l)")
    for th in 1 0; do
      t0=$(now)
      "$NEXUSMAP" density "$tmp/points.csv" -o "$tmp/nx_$cell.tif" --kernel quartic --bandwidth-km 50 --cell-km "$cell" \
        --extent data --value-units qgis-raw --threads "$th" --force >"$tmp/nx.log" 2>&1 ||
        { echo "qgis_compare: nexusmap density failed:" >&2; tail -20 "$tmp/nx.log" >&2; exit 1; }
      t1=$(now)
      if [ "$th" = 1 ]; then nt1+=("$(echo "$t1 - $t0" | bc -l)"); else ntn+=("$(echo "$t1 - $t0" | bc -l)"); fi
    done
  done
  q=$(printf '%s\n' "${qt[@]}" | median)
  n1=$(printf '%s\n' "${nt1[@]}" | median)
  nn=$(printf '%s\n' "${ntn[@]}" | median)
  printf '| %s | %s | %s | %.2f | %s | %.3f | %.3f | %.0f | %s | %s |\n' "$POINTS" "$cell" "$(size_of "$tmp/qgis_$cell.tif")" "$q" \
    "$(size_of "$tmp/nx_$cell.tif")" "$n1" "$nn" "$(echo "$q / $n1" | bc -l)" "$(max_of "$tmp/qgis_$cell.tif")" \
    "$(max_of "$tmp/nx_$cell.tif")"
done
echo
printf 'Whole processes, median of %s runs; %s; qgis_process start-up alone (10 points, 5 km) %.2f s.\n' "$RUNS" "$version" "$startup"
