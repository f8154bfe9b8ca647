#!/usr/bin/env bash
# Issue #19 regression, "re-saving a project loses layers": `view p.json --save-project p.json`
# keeps the layers whose files did not load (in their place) and does not add the layers of a
# GeoPackage that the project did not list. Re-saving the opened project needs no --force; any
# other existing file does.
# Usage: test_viewer_project_resave.sh <path-to-nexusmap> <source-dir>
set -u
exe=${1:?usage: test_viewer_project_resave.sh NEXUSMAP SOURCE_DIR}
src=${2:?usage: test_viewer_project_resave.sh NEXUSMAP SOURCE_DIR}

source "$(dirname "$0")/viewer_lib.sh" # skips, $tmp, fail(), xv

cp "$src/data/basemap/west_africa.gpkg" "$tmp/wa.gpkg"
head -501 "$src/data/demo/events_synthetic.csv" >"$tmp/ev.csv"
style='{"visible": true, "opacity": 1.0, "fill": false, "fill_color": [1,1,1,1], "outline": true,
        "line_color": [0.3,0.3,0.3,1], "line_width": 1.0, "point_size": 4.0, "category_field": ""}'
cat >"$tmp/p.json" <<EOF
{"nexusmap_project": 1,
 "layers": [
   {"path": "wa.gpkg", "layer": "admin0", "title": "Countries", "style": $style},
   {"path": "gone/missing.geojson", "layer": "", "title": "Lost routes", "style": $style}
 ],
 "events": {"path": "ev.csv"}}
EOF
cp "$tmp/p.json" "$tmp/p.orig.json"

# Loading fails for one layer (exit 1), but the project is still saved, and completely.
xv "$exe" view "$tmp/p.json" --size 800x600 --frames 2 --save-project "$tmp/p.json" >"$tmp/out.txt" 2>"$tmp/err.txt"
grep -q "^project $tmp/p.json" "$tmp/out.txt" || fail "re-save did not happen: $(cat "$tmp/out.txt" "$tmp/err.txt")"
python3 - "$tmp/p.json" <<'PY' || fail "re-saved project is not what was opened"
import json, sys
p = json.load(open(sys.argv[1]))
names = [(l["path"].split("/")[-1], l.get("layer", "")) for l in p["layers"]]
assert names == [("wa.gpkg", "admin0"), ("missing.geojson", "")], names
assert p["layers"][1]["title"] == "Lost routes"
assert p["events"]["path"].endswith("ev.csv")
PY
# Saving a second time gives the same file (nothing gained or lost on each round).
cp "$tmp/p.json" "$tmp/p.first.json"
xv "$exe" view "$tmp/p.json" --size 800x600 --frames 2 --save-project "$tmp/p.json" >/dev/null 2>&1
cmp -s "$tmp/p.json" "$tmp/p.first.json" || fail "second re-save changed the project: $(diff "$tmp/p.first.json" "$tmp/p.json" | head)"
# Another existing file is not replaced without --force.
echo keep >"$tmp/other.json"
xv "$exe" view "$tmp/p.json" --size 800x600 --frames 2 --save-project "$tmp/other.json" >/dev/null 2>"$tmp/err2.txt" &&
  fail "--save-project replaced an existing file without --force"
[[ "$(cat "$tmp/other.json")" == keep ]] || fail "other.json changed"

exit $((fails > 0))
