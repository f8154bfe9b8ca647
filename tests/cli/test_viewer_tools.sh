#!/usr/bin/env bash
# The viewer's analyst tools end to end (issue #14), on the synthetic demo under Xvfb: the scripted
# measure / graticule / attribute table / select-at / drawn area, the drawn area saved as GeoJSON
# and accepted by the command line as --mask and --study-area (and a drawn route as map --routes),
# the tools' state kept in the project file, and the light theme at a UI scale of 1.5.
# Usage: test_viewer_tools.sh <path-to-nexusmap> <source-dir>
set -u
exe=${1:?usage: test_viewer_tools.sh NEXUSMAP SOURCE_DIR}
src=${2:?usage: test_viewer_tools.sh NEXUSMAP SOURCE_DIR}
viewer_one_xvfb=1600x1000x24
source "$(dirname "$0")/viewer_lib.sh" # skips, $tmp, fail(), one X server
EV="$src/data/demo/events_synthetic.csv"

# 1. Measure a 3-vertex line (and its closed area), graticule, a drawn area saved as GeoJSON, the
#    admin-0 attribute table with the feature at Ouagadougou selected.
"$exe" view --demo --frames 3 --screenshot "$tmp/tools.png" --measure "-5,12;0,12;0,15" --graticule \
    --draw-area "-4,11;1,11;1,14;-4,14" --save-sketch "$tmp/aoi.geojson" \
    --attribute-table admin0 --select-at -1.52,12.37 --save-project "$tmp/p.json" >"$tmp/out.txt" 2>"$tmp/err.txt" ||
  fail "tools run exited non-zero: $(tail -3 "$tmp/err.txt")"
# The length checked against a spherical (haversine) estimate within 0.5 %; the exact geodesic is
# tested against published values in tests/test_viewer_tools.cpp.
python3 - "$tmp/out.txt" <<'PY' || fail "measure line wrong: $(grep measure "$tmp/out.txt")"
import math, re, sys
m = re.search(r"^measure vertices 3 length_km (\S+) area_km2 (\S+)", open(sys.argv[1]).read(), re.M)
assert m, "no measure line"
def hav(a, b):
    (l1, p1), (l2, p2) = [(math.radians(x), math.radians(y)) for x, y in (a, b)]
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin((l2 - l1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))
est = hav((-5, 12), (0, 12)) + hav((0, 12), (0, 15))
length, area = float(m.group(1)), float(m.group(2))
assert abs(length - est) / est < 0.005, (length, est)
# The closed triangle: about half of a 5 x 3 degree box at 13.5 N (~ 543 km x 332 km / 2).
assert 80000 < area < 100000, area
PY
grep -q "^graticule_step [0-9]" "$tmp/out.txt" || fail "no graticule step printed"
grep -q "^attribute_table .* selected 1 .*Burkina" "$tmp/out.txt" ||
  fail "select-at did not select Burkina Faso: $(grep attribute_table "$tmp/out.txt")"
grep -q "^save_sketch $tmp/aoi.geojson area 4" "$tmp/out.txt" || fail "sketch not saved: $(cat "$tmp/err.txt")"
[ -s "$tmp/tools.png" ] || fail "no screenshot"

# 2. The saved area is a polygon GeoJSON that the command line takes as --mask and --study-area.
python3 - "$tmp/aoi.geojson" <<'PY' || fail "aoi.geojson is not the drawn polygon"
import json, sys
g = json.load(open(sys.argv[1]))
f = g["features"]
assert len(f) == 1 and f[0]["geometry"]["type"] in ("Polygon", "MultiPolygon"), f
ring = f[0]["geometry"]["coordinates"][0] if f[0]["geometry"]["type"] == "Polygon" else f[0]["geometry"]["coordinates"][0][0]
assert len(ring) == 5 and ring[0] == ring[-1] and ring[0] == [-4, 11], ring
PY
"$exe" density "$EV" --mask "$tmp/aoi.geojson" -o "$tmp/d.tif" --cell-km 20 >"$tmp/d.out" 2>&1 ||
  fail "density --mask with the drawn area failed: $(tail -3 "$tmp/d.out")"
"$exe" hotspots "$EV" --study-area "$tmp/aoi.geojson" --cell-km 50 --permutations 0 -o "$tmp/hs" >"$tmp/hs.out" 2>&1 ||
  fail "hotspots --study-area with the drawn area failed: $(tail -3 "$tmp/hs.out")"

# 3. A drawn route saved and drawn by `nexusmap map --routes`.
"$exe" view --demo --frames 2 --draw-route "-4,12;-1.5,12.4;1,13" --save-sketch "$tmp/route.geojson" \
    >"$tmp/r.out" 2>"$tmp/r.err" || fail "route run failed: $(tail -3 "$tmp/r.err")"
grep -q "^save_sketch $tmp/route.geojson route 3" "$tmp/r.out" || fail "route not saved"
"$exe" map "$EV" --routes "$tmp/route.geojson" -o "$tmp/m.png" >"$tmp/m.out" 2>&1 ||
  fail "map --routes with the drawn route failed: $(tail -3 "$tmp/m.out")"
# An existing file is not replaced without --force.
"$exe" view --demo --frames 2 --draw-route "-4,12;1,13" --save-sketch "$tmp/route.geojson" >/dev/null 2>"$tmp/r2.err" &&
  fail "--save-sketch replaced a file without --force"
grep -q "exists" "$tmp/r2.err" || fail "no 'exists' error: $(cat "$tmp/r2.err")"

# 4. The project keeps the sketch and the graticule; reopened and re-saved, they come back unchanged.
python3 - "$tmp/p.json" <<'PY' || fail "project lacks the tools' state"
import json, sys
p = json.load(open(sys.argv[1]))["panels"]
assert p["graticule"]["on"] is True, p["graticule"]
s = p["sketches"]["sketches"]
assert len(s) == 1 and s[0]["kind"] == "area" and len(s[0]["vertices"]) == 4, s
assert p["display"]["theme"] == "dark"
PY
"$exe" view "$tmp/p.json" --frames 2 --save-project "$tmp/p2.json" >"$tmp/p2.out" 2>&1 || fail "reopen failed: $(tail -3 "$tmp/p2.out")"
python3 - "$tmp/p.json" "$tmp/p2.json" <<'PY' || fail "panels state changed on re-save"
import json, sys
a, b = (json.load(open(f))["panels"] for f in sys.argv[1:])
assert a == b, (a, b)
PY
# A bad panel member is reported, naming it.
python3 - "$tmp/p.json" "$tmp/bad.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1])); p["panels"]["display"]["theme"] = "pink"
json.dump(p, open(sys.argv[2], "w"))
PY
"$exe" view "$tmp/bad.json" --frames 2 --screenshot "$tmp/bad.png" >/dev/null 2>"$tmp/bad.err"
"$exe" view "$tmp/bad.json" --frames 2 --save-project "$tmp/bad2.json" >/dev/null 2>&1
python3 -c "import json,sys; assert json.load(open(sys.argv[1]))['panels']['display']['theme'] == 'dark'" "$tmp/bad2.json" ||
  fail "a bad theme in the project was applied"

# 5. Light theme at UI scale 1.5: the sidebar is light and wider (370 * 1.5 px).
"$exe" view --demo --frames 3 --theme light --ui-scale 1.5 --screenshot "$tmp/light.png" >"$tmp/l.out" 2>&1 ||
  fail "light theme run failed: $(tail -3 "$tmp/l.out")"
grep -q "^ui_scale 1.5 theme light" "$tmp/l.out" || fail "ui scale/theme not in effect: $(grep ui_scale "$tmp/l.out")"
grep -q "^canvas 555 " "$tmp/l.out" || fail "sidebar not scaled: $(grep canvas "$tmp/l.out")"
rgb=$("$exe" view --probe-png "$tmp/light.png" 200 990 | awk '/^pixel/{print $4+$5+$6}')
[ "${rgb:-0}" -gt 600 ] || fail "sidebar not light: $("$exe" view --probe-png "$tmp/light.png" 200 990)"

[ "$fails" -eq 0 ] && echo "OK: viewer tools" || exit 1
