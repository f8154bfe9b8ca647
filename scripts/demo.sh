#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: install packages, build, run the headless demo batch
# on the bundled real UCDP GED events (outputs in demo-out/), then open the viewer on them (real events,
# admin-0/1/2 basemap, no routes) when a display exists. The SYNTHETIC demo: `nexusmap demo --synthetic`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
./build/app/nexusmap demo --out demo-out --force
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec ./build/app/nexusmap
else
  echo "No display: the viewer was not opened. Under Xvfb: xvfb-run -a -s '-screen 0 1600x1000x24' ./build/app/nexusmap --screenshot demo-out/viewer.png --frames 5"
fi
