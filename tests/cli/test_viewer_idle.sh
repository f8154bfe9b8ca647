#!/usr/bin/env bash
# Regression (issue #17): the viewer drew a frame every 0.25 s with nothing changing (about 80 % of
# a core on llvmpipe). Now it sleeps in the event wait: once loading has finished, a window left
# alone uses no CPU. Waits (up to 120 s, for slow sanitizer builds) for a quiet 3-second window.
exe=$1 src=$2
viewer_one_xvfb=1600x1000x24
source "$src/tests/cli/viewer_lib.sh"
"$exe" view "$src/data/basemap/west_africa.gpkg" "$src/tests/data/ucdp_small.csv" >"$tmp/log" 2>&1 &
pid=$!
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo -1; }
quiet=0
for _ in $(seq 40); do
  a=$(ticks); sleep 3; b=$(ticks)
  if [ "$a" -lt 0 ] || [ "$b" -lt 0 ]; then break; fi
  # 100 ticks = one core-second: at most 0.05 s of CPU in 3 s counts as idle.
  if [ $((b - a)) -le 5 ]; then quiet=1; break; fi
done
kill -0 "$pid" 2>/dev/null || fail "the viewer exited early: $(tail -3 "$tmp/log")"
[ "$quiet" = 1 ] || fail "the viewer never went idle (last 3 s used $((b - a)) ticks of CPU)"
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
[ "$fails" = 0 ] && echo "PASS: viewer idle"
exit $((fails > 0))
