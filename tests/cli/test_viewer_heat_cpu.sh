#!/usr/bin/env bash
# The CPU heat backend (--heat-backend cpu; the default on a software OpenGL from 100k events):
# the heat is geo's KDE computed on a worker and uploaded instead of splatted. Under Xvfb it must
# (1) equal geo's exact KDE on the same grid within 1e-3 of the max (--compare-exact reads the
# texture back), (2) give the same density at the Liptako-Gourma hot spot as the GPU splat
# (1e-3 relative), (3) keep the UI running through bandwidth changes (--bench-frames: every change
# reaches the screen, no faster than its computation). The demo (20k events) stays on the GPU by
# default. Usage: test_viewer_heat_cpu.sh NEXUSMAP SOURCE_DIR; exit 77 without xvfb-run.
set -u
exe=${1:?usage: test_viewer_heat_cpu.sh NEXUSMAP SOURCE_DIR}
src=${2:?usage: test_viewer_heat_cpu.sh NEXUSMAP SOURCE_DIR}
source "$(dirname "$0")/viewer_lib.sh" # skips, $tmp, fail(), xv

run() { # name, extra args...
  local name=$1; shift
  if ! xv "$exe" view --demo --size 1200x800 --screenshot "$tmp/$name.png" --frames 3 --probe 0.5,14.5 "$@" \
       >"$tmp/$name.txt" 2>"$tmp/$name.err"; then
    fail "$name: viewer exited with an error"; cat "$tmp/$name.txt" "$tmp/$name.err"
  fi
}
run cpu --heat-backend cpu --compare-exact
run gpu
grep -E '^(heat_backend|exact_check|probe_density)' "$tmp/cpu.txt" "$tmp/gpu.txt"
grep -q '^heat_backend cpu' "$tmp/cpu.txt" || fail "--heat-backend cpu did not select the CPU backend"
grep -q '^heat_backend gpu' "$tmp/gpu.txt" || fail "the demo (20k events) should stay on the GPU by default"
rel=$(awk '$1=="exact_check" {print $11}' "$tmp/cpu.txt")
[ -n "$rel" ] && awk -v r="$rel" 'BEGIN{exit !(r >= 0 && r <= 1e-3)}' || fail "CPU heat vs exact: rel diff '$rel' > 1e-3"
dc=$(awk '$1=="probe_density" {print $4}' "$tmp/cpu.txt"); dg=$(awk '$1=="probe_density" {print $4}' "$tmp/gpu.txt")
awk -v a="$dc" -v b="$dg" 'BEGIN{d=a-b; if (d<0) d=-d; exit !(b > 0 && d <= 1e-3 * b)}' \
  || fail "hot-spot density CPU $dc vs GPU $dg differ by more than 1e-3"

if ! xv "$exe" view --demo --heat-backend cpu --bench-frames 2 >"$tmp/bench.txt" 2>"$tmp/bench.err"; then
  fail "bench run failed"; cat "$tmp/bench.err"
fi
grep '^bench_frames' "$tmp/bench.txt"
grep -q '^bench_frames renderer=.* heat=cpu ' "$tmp/bench.txt" || fail "bench did not run on the CPU backend"
line=$(grep '^bench_frames bandwidth_change_ms' "$tmp/bench.txt")
bm=$(echo "$line" | tr ' ' '\n' | awk -F= '$1=="median" {print $2}')
sm=$(echo "$line" | tr ' ' '\n' | awk -F= '$1=="splat_ms_median" {print $2}')
n=$(echo "$line" | tr ' ' '\n' | awk -F= '$1=="n" {print $2}')
[ "$n" = 8 ] || fail "expected 8 bandwidth changes, got '$n'"
awk -v a="$bm" -v b="$sm" 'BEGIN{exit !(b > 0 && a >= b)}' || fail "change $bm ms vs computation $sm ms"
[ "$fails" -eq 0 ] && echo PASS || exit 1
