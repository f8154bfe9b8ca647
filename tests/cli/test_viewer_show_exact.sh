#!/usr/bin/env bash
# The viewer draws geo's exact raster (not the GPU splat) when asked (--show-exact): the run waits
# for the exact KDE, reports the comparison, and the hotspot pixel is heat-coloured and identical
# to the GPU-splat picture (the two grids agree to ~1e-6 of the maximum, below one colour step).
# Usage: test_viewer_show_exact.sh NEXUSMAP SOURCE_DIR
set -u
exe=$1
src=$2
viewer_one_xvfb=1600x1000x24 # one X server for all the runs below
source "$(dirname "$0")/viewer_lib.sh" # skips, $tmp, fail(), the data folders
for mode in gpu exact; do
  extra=""
  [ $mode = exact ] && extra="--show-exact"
  timeout 300 "$exe" view --demo --size 1600x1000 --screenshot "$tmp/$mode.png" --frames 5 --probe 0.5,14.5 $extra \
    >"$tmp/$mode.out" 2>"$tmp/$mode.err" || { echo "FAIL: viewer ($mode) exited with an error"; cat "$tmp/$mode.err"; exit 1; }
done
grep -q '^exact_check cells' "$tmp/exact.out" || { echo "FAIL: --show-exact did not run the exact KDE"; exit 1; }
read -r px py < <(awk '$1=="probe" && $2=="0.5" && $3=="14.5" {print $4, $5}' "$tmp/exact.out")
[ -n "${px:-}" ] || { echo "FAIL: probe not printed"; exit 1; }
a=$("$exe" view --probe-png "$tmp/gpu.png" "$px" "$py" | awk '$1=="pixel" {print $4, $5, $6}')
b=$("$exe" view --probe-png "$tmp/exact.png" "$px" "$py" | awk '$1=="pixel" {print $4, $5, $6}')
echo "hotspot pixel: gpu splat $a, exact raster $b"
read -r r g bl <<<"$b"
((r - bl > 60)) || { echo "FAIL: no heat colour at the hotspot with the exact raster"; exit 1; }
[ "$a" = "$b" ] || { echo "FAIL: exact raster and GPU splat differ at the hotspot"; exit 1; }
echo "show exact: ok"
