#!/usr/bin/env bash
# The viewer's default view on the bundled real data: `nexusmap` with no file opens the UCDP GED
# events on the admin-0/1/2 basemap without routes: no SYNTHETIC banner (no red pixels across the
# top of the canvas), synthetic 0, the UCDP attribution; opening the synthetic demo file brings the
# banner back. --precision spread keeps the event total minus the where_prec 5/7 events.
# Usage: test_viewer_real.sh NEXUSMAP SOURCE_DIR
exe=${1:?usage: test_viewer_real.sh NEXUSMAP SOURCE_DIR}
src=${2:?usage: test_viewer_real.sh NEXUSMAP SOURCE_DIR}
viewer_one_xvfb=1600x1000x24
source "$(dirname "$0")/viewer_lib.sh" # skips, $tmp, fail(), one X server

red_on_top() { # PNG, canvas line -> number of red samples in the banner band at the canvas top
  local png=$1 x0=$2 y0=$3 x1=$4 pts=""
  for x in $(seq $((x0 + 10)) 12 $((x1 - 10))); do for y in $((y0 + 8)) $((y0 + 14)) $((y0 + 20)) $((y0 + 26)); do pts="$pts $x $y"; done; done
  "$exe" view --probe-png "$png" $pts | awk '$1=="pixel" && NF==6 && $4 > 150 && $5 < 80 && $6 < 80' | wc -l
}

# 1. Default view: real events, no banner.
timeout 300 "$exe" --screenshot "$tmp/real.png" --frames 5 >"$tmp/real.txt" 2>"$tmp/real.err" ||
  { fail "default viewer exited with an error"; cat "$tmp/real.txt" "$tmp/real.err"; }
grep -q '^synthetic 0' "$tmp/real.txt" || fail "default view flagged synthetic: $(grep synthetic "$tmp/real.txt")"
grep -q '^illustrative 0' "$tmp/real.txt" || fail "default view has routes"
grep -q '^attribution .*UCDP GED' "$tmp/real.txt" || fail "default view lacks the UCDP attribution"
grep -q '^attribution .*OCHA' "$tmp/real.txt" || fail "default view lacks the admin-2 (OCHA) attribution"
read -r cx0 cy0 cx1 cy1 < <(awk '$1=="canvas" {print $2, $3, $4, $5}' "$tmp/real.txt")
if [[ -n "${cx0:-}" && -s "$tmp/real.png" ]]; then
  n=$(red_on_top "$tmp/real.png" "$cx0" "$cy0" "$cx1")
  ((n < 5)) || fail "red banner pixels on the real default view ($n)"
else
  fail "no canvas line or screenshot"
fi

# 2. The synthetic demo file added to the real basemap: banner back.
timeout 300 "$exe" view "$src/data/basemap/west_africa.gpkg" "$src/data/demo/events_synthetic.csv" \
  --screenshot "$tmp/syn.png" --frames 5 >"$tmp/syn.txt" 2>"$tmp/syn.err" || fail "viewer on the synthetic file failed"
grep -q '^synthetic 1' "$tmp/syn.txt" || fail "synthetic file not flagged"
read -r sx0 sy0 sx1 sy1 < <(awk '$1=="canvas" {print $2, $3, $4, $5}' "$tmp/syn.txt")
if [[ -n "${sx0:-}" ]]; then
  n=$(red_on_top "$tmp/syn.png" "$sx0" "$sy0" "$sx1")
  ((n >= 10)) || fail "no red SYNTHETIC banner with the synthetic file ($n red samples)"
fi

# 3. Precision spread in the viewer (the Heatmap panel's control, from the command line).
timeout 300 "$exe" --precision spread --screenshot "$tmp/spread.png" --frames 3 >"$tmp/spread.txt" 2>"$tmp/spread.err" ||
  fail "viewer --precision spread failed: $(tail -3 "$tmp/spread.err")"
n57=$(python3 -c "import csv,sys; print(sum(1 for r in csv.DictReader(open(sys.argv[1])) if r['where_prec'] in ('5','7')))" "$src/data/real/ucdp_ged241_uemoa6.csv")
read -r mode rows events < <(awk '$1=="precision_mode" {print $2, $4, $6}' "$tmp/spread.txt")
[[ "${mode:-}" == 2 ]] || fail "precision mode not spread: $(grep precision_mode "$tmp/spread.txt")"
awk -v e="${events:-0}" -v m="$n57" 'BEGIN {exit !(e > 4000 && e <= 4741 - m)}' || fail "spread events $events (where_prec 5/7: $n57)"
((${rows:-0} > ${events%.*})) || fail "spread made no sub-points ($rows rows)"

# 4. The issue's case: basemap + illustrative routes + real events, print map: real, routes stated.
if command -v pdftotext >/dev/null 2>&1; then
  timeout 300 "$exe" view "$src/data/basemap/west_africa.gpkg" "$src/data/demo/routes_illustrative.geojson" \
    "$src/data/real/ucdp_ged241_uemoa6.csv" --export-map "$tmp/vm.pdf" >"$tmp/vm.txt" 2>&1 || fail "viewer --export-map failed"
  pdftotext "$tmp/vm.pdf" "$tmp/vm.pdf.txt"
  grep -q "synthetic=false" "$tmp/vm.pdf.txt" || fail "print map of real events + routes is not synthetic=false"
  grep -q "illustrative routes" "$tmp/vm.pdf.txt" || fail "print map does not state the illustrative routes"
  grep -q "UCDP GED (Sundberg" "$tmp/vm.pdf.txt" || fail "print map lacks the UCDP attribution"
  grep -q "SYNTHETIC\|not real events" "$tmp/vm.pdf.txt" && fail "print map calls the real events synthetic"
fi

((fails == 0)) && echo "viewer real data: ok" || { echo "viewer real data: $fails failure(s)"; exit 1; }
