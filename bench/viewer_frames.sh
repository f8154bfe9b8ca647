#!/usr/bin/env bash
# Viewer frame time and bandwidth-change latency with N synthetic events (issue #7), under Xvfb
# unless a display is set. Generates the events with make_demo (seeded) into a temp folder.
#   bash bench/viewer_frames.sh [BUILD_DIR=build] [EVENTS=1000000] [FRAMES=10] [VIEWER OPTIONS...]
# e.g. `bash bench/viewer_frames.sh build 1000000 10 --heat-backend gpu` to time the GPU splat.
# Prints the viewer's `bench_frames` lines: GL renderer, load time, frame time (median/p95) with
# nothing changing, and the time from a bandwidth change to the re-splatted picture on screen.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
N=${2:-1000000}
F=${3:-10}
shift $(( $# < 3 ? $# : 3 ))
for exe in "$B/app/nexusmap" "$B/data/make_demo"; do
  [ -x "$exe" ] || { echo "viewer_frames.sh: $exe not built (cmake --build $B)" >&2; exit 2; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$B/data/make_demo" --basemap data/basemap/west_africa.gpkg --out "$tmp" --seed 7 --events "$N" >/dev/null
# Other work on the machine slows software OpenGL directly: say how loaded it was.
echo "bench_frames loadavg=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ',') cores=$(nproc)"
run=("$B/app/nexusmap" view data/basemap/west_africa.gpkg "$tmp/events_synthetic.csv" "$tmp/routes_illustrative.geojson"
     --bench-frames "$F" "$@")
if [ -z "${DISPLAY:-}" ]; then
  xvfb-run -a -s "-screen 0 1600x1000x24" "${run[@]}" | grep '^bench_frames'
else
  "${run[@]}" | grep '^bench_frames'
fi
