#!/usr/bin/env bash
# Bounded resources and local-only inputs through the real program (issue #19): --max-memory on
# every command, refusals that name the size, the budget and the fix (hotspots counting neighbour
# weights, contours on a sparse TIFF declaring 30000x30000, map --by counting every period);
# FIFO and remote inputs refused; --permutations/--lags caps; PROJ +init= refused. Nothing here
# allocates more than a few MB: the memory refusals use a small --max-memory.
# Usage: test_bounded_resources.sh NEXUSMAP SOURCE_DIR
set -u
BIN=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
EV=$SRC/data/demo/events_synthetic.csv
BAD=$SRC/tests/data/bad
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
export NEXUSMAP_PROGRESS=0
unset NEXUSMAP_MAX_MEMORY
nofiles() { [ -z "$(ls -A "$T/out")" ] || { ls -la "$T/out"; fail "$1 left files behind"; }; }
mkdir -p "$T/out"

# --max-memory is on every command, and its help states the default.
for c in info density contours zonal demo spillover corridors hotspots lisa emerging map chart; do
  "$BIN" $c --help >"$T/h" 2>&1 || fail "$c --help"
  grep -q -- "--max-memory" "$T/h" || fail "$c --help lacks --max-memory"
done
grep -q "50% of" <("$BIN" density --help) || fail "--max-memory help does not state the default"
"$BIN" info "$EV" --max-memory lots >"$T/o" 2>"$T/err" && fail "--max-memory lots accepted"
grep -q "is not a size" "$T/err" || { cat "$T/err"; fail "bad --max-memory message"; }

# hotspots --cell-km 0.5 (the 6.4 GB run of the issue): refused up front with the size and the fix.
"$BIN" hotspots "$EV" --cell-km 0.5 --max-memory 256M -o "$T/out/hs" >"$T/o" 2>"$T/err" && fail "hotspots 0.5 km not refused"
grep -q "needs about .* GiB of memory, more than the budget of 256 MiB (--max-memory)" "$T/err" || { cat "$T/err"; fail "hotspots refusal lacks size/budget"; }
grep -q "fishnet cells" "$T/err" || { cat "$T/err"; fail "hotspots refusal does not say what is large"; }
grep -q -- "--cell-km" "$T/err" || { cat "$T/err"; fail "hotspots refusal lacks the fix"; }
nofiles "hotspots refusal"
# ... and a band that makes the neighbour weights large is refused though the units fit.
"$BIN" hotspots "$EV" --cell-km 10 --band-km 400 --max-memory 64M -o "$T/out/hs" >"$T/o" 2>"$T/err" && fail "huge band not refused"
grep -q "neighbours each" "$T/err" || { cat "$T/err"; fail "band refusal does not mention the neighbours"; }
nofiles "band refusal"

# contours on a 363-byte sparse TIFF declaring 30000 x 30000 cells: refused, naming the file.
"$BIN" contours "$BAD/sparse_30000x30000.tif" -o "$T/out/c.geojson" --max-memory 1G >"$T/o" 2>"$T/err" && fail "sparse TIFF not refused"
grep -q "sparse_30000x30000.tif" "$T/err" || { cat "$T/err"; fail "sparse refusal does not name the file"; }
grep -q "3.35 GiB" "$T/err" || { cat "$T/err"; fail "sparse refusal lacks the estimate"; }
nofiles "contours refusal"

# map --period quarter: --max-cells is per period, the budget counts all the periods together.
"$BIN" map "$EV" --period quarter --cell-km 2 --max-memory 64M -o "$T/out/m.png" >"$T/o" 2>"$T/err" && fail "map --by not refused"
grep -q "period maps" "$T/err" || { cat "$T/err"; fail "map --by refusal does not count the periods"; }
nofiles "map --by refusal"

# An allocation no estimate foresaw (here: a 1.5 GB address-space limit and a budget raised past
# it) ends with a message naming the command and the input, not a bare std::bad_alloc. Not under
# ASan, whose shadow memory cannot live within ulimit -v.
if ! ldd "$BIN" 2>/dev/null | grep -q libasan; then
  (ulimit -v 1500000; "$BIN" density "$EV" --cell-km 0.1 --max-cells 1e10 --max-memory 100G -o "$T/out/big.tif") >"$T/o" 2>"$T/err"
  rc=$?
  [ $rc = 1 ] || { cat "$T/err"; fail "bad_alloc: exit $rc"; }
  grep -q "nexusmap density: error: out of memory while processing .*events_synthetic.csv" "$T/err" || { cat "$T/err"; fail "bad_alloc message"; }
  nofiles "bad_alloc"
fi

# A FIFO input is refused at once (nobody writes to it: reading would block forever).
mkfifo "$T/fifo.csv"
timeout 20 "$BIN" density "$T/fifo.csv" -o "$T/out/d.tif" >"$T/o" 2>"$T/err"
rc=$?
[ $rc = 124 ] && fail "density blocked on a FIFO"
[ $rc = 1 ] || fail "FIFO: exit $rc"
grep -q "FIFO" "$T/err" || { cat "$T/err"; fail "FIFO refusal message"; }
timeout 20 "$BIN" info "$T/fifo.csv" >"$T/o" 2>"$T/err"; [ $? = 1 ] || fail "info on a FIFO"

# Remote inputs never reach GDAL's network layer: refused, naming the input.
for u in /vsicurl/http://127.0.0.1:9/a.tif https://127.0.0.1:9/a.tif "WMS:http://127.0.0.1:9/wms"; do
  timeout 20 "$BIN" map --raster "$u" -o "$T/out/m.png" >"$T/o" 2>"$T/err" && fail "map --raster $u accepted"
  grep -q "remote or network source" "$T/err" || { cat "$T/err"; fail "no remote refusal for $u"; }
  grep -qF "$u" "$T/err" || { cat "$T/err"; fail "refusal does not name $u"; }
done
timeout 20 "$BIN" density "https://127.0.0.1:9/events.csv" -o "$T/out/d.tif" >"$T/o" 2>"$T/err" && fail "remote CSV accepted"
grep -q "remote or network source" "$T/err" || { cat "$T/err"; fail "no remote refusal for the CSV"; }
timeout 20 "$BIN" density "$EV" --mask "/vsicurl/http://127.0.0.1:9/m.gpkg" -o "$T/out/d.tif" >"$T/o" 2>"$T/err" && fail "remote mask accepted"
grep -q "remote or network source" "$T/err" || { cat "$T/err"; fail "no remote refusal for --mask"; }
nofiles "remote refusals"

# Caps on iteration counts, stated in --help.
grep -q "at most 99999" <("$BIN" hotspots --help) || fail "hotspots --help does not state the permutation cap"
grep -q "at most 1000)" <("$BIN" spillover --help) || fail "spillover --help does not state the lag cap"
"$BIN" hotspots "$EV" --permutations 1000000000 -o "$T/out/hs" >"$T/o" 2>"$T/err" && fail "--permutations 1e9 accepted"
grep -q "cap of 99999" "$T/err" || { cat "$T/err"; fail "permutation cap message"; }
"$BIN" lisa "$EV" --permutations 1000000 -o "$T/out/l" >"$T/o" 2>"$T/err" && fail "lisa --permutations 1e6 accepted"
"$BIN" spillover "$EV" --lags 1000000 -o "$T/out/sp" >"$T/o" 2>"$T/err" && fail "--lags 1e6 accepted"
grep -q "between 0 and 1000" "$T/err" || { cat "$T/err"; fail "lag cap message"; }
"$BIN" spillover "$EV" --permutations 1000000000 -o "$T/out/sp2" >"$T/o" 2>"$T/err" && fail "spillover --permutations 1e9 accepted"
# Scientific notation is not silently truncated into a smaller count.
"$BIN" hotspots "$EV" --permutations 1e9 -o "$T/out/hs" >"$T/o" 2>"$T/err" && fail "--permutations 1e9 (text) accepted"

# PROJ +init= is refused with a suggestion.
"$BIN" density "$EV" --crs "+init=epsg:32631" -o "$T/out/d.tif" >"$T/o" 2>"$T/err" && fail "+init= accepted"
grep -q "EPSG:" "$T/err" || { cat "$T/err"; fail "+init= refusal lacks the EPSG suggestion"; }
echo "bounded resources: all checks passed"
