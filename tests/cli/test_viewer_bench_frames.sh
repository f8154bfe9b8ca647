#!/usr/bin/env bash
# --bench-frames under Xvfb (Mesa llvmpipe): the viewer loads the demo, times frames and
# bandwidth changes, prints them and exits 0. Checks the lines are there with sane values: the
# event count is the demo's, every time is positive, and a bandwidth change (a re-splat) is
# not faster than the splat it includes. Exit 77 (skipped) when xvfb-run is not installed.
set -u
exe=${1:?usage: test_viewer_bench_frames.sh NEXUSMAP SOURCE_DIR}
src=${2:?usage: test_viewer_bench_frames.sh NEXUSMAP SOURCE_DIR}
source "$(dirname "$0")/viewer_lib.sh" # skips, $tmp, fail(), xv
if ! xv "$exe" view --demo --bench-frames 3 >"$tmp/out.txt" 2>"$tmp/err.txt"; then
  echo "FAIL: viewer exited with an error"; cat "$tmp/out.txt" "$tmp/err.txt"; exit 1
fi
grep '^bench_frames' "$tmp/out.txt"
val() { grep "^bench_frames $1 " "$tmp/out.txt" | tr ' ' '\n' | awk -F= -v k="$2" '$1==k {print $2}'; }
demo_rows=$(( $(grep -vc '^#' "$src/data/demo/events_synthetic.csv") - 1 ))
events=$(grep '^bench_frames renderer' "$tmp/out.txt" | tr ' ' '\n' | awk -F= '$1=="events" {print $2}')
[ "$events" = "$demo_rows" ] || fail "events=$events, the demo has $demo_rows rows"
fm=$(val frame_ms median); fn=$(val frame_ms n); bm=$(val bandwidth_change_ms median); sm=$(val bandwidth_change_ms splat_ms_median)
[ "$fn" = 3 ] || fail "frame count $fn, asked for 3"
awk -v a="$fm" 'BEGIN{exit !(a > 0)}' || fail "frame median $fm not positive"
awk -v a="$sm" 'BEGIN{exit !(a > 0)}' || fail "splat median $sm not positive"
awk -v a="$bm" -v b="$sm" 'BEGIN{exit !(a >= b)}' || fail "bandwidth change $bm ms shorter than its splat $sm ms"
[ "$fails" -eq 0 ] && echo "PASS" || exit 1
