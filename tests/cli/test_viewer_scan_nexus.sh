#!/usr/bin/env bash
# The viewer's Space-time scan and Nexus panels run headless (--scan / --nexus with the CLI's
# settings as --scan-param / --nexus-param) on the synthetic demo and the illustrative routes; their
# exports must equal `nexusmap scan` / `nexusmap nexus` on the same inputs and parameters: every CSV
# row identical (the provenance comment lines may differ: creation time, precision wording), the
# GeoJSON features' properties identical and coordinates within 1e-9 degrees.
# Usage: test_viewer_scan_nexus.sh NEXUSMAP SOURCE_DIR
set -u
exe=$1
src=$2
source "$(dirname "$0")/viewer_lib.sh" # skips, $tmp, fail(), xv
command -v python3 >/dev/null || { echo "SKIP: python3 not found"; exit 77; }
EV=$src/data/demo/events_synthetic.csv
RT=$src/data/demo/routes_illustrative.geojson
scan_kv=(period=year centre-cell-km=100 location-cell-km=50 max-radius-km=200 replications=49 threads=2)
nexus_kv=(simulations=39 threads=2 d-km=25 curve-km=5,10,25,50 clq=1)
scan_flags=() viewer_flags=()
for kv in "${scan_kv[@]}"; do scan_flags+=("--${kv%%=*}" "${kv#*=}"); viewer_flags+=(--scan-param "$kv"); done
nexus_flags=(--simulations 39 --threads 2 --d-km 25 --curve-km 5,10,25,50 --clq)
for kv in "${nexus_kv[@]}"; do viewer_flags+=(--nexus-param "$kv"); done

"$exe" scan "$EV" "${scan_flags[@]}" -o "$tmp/cli" >"$tmp/cli_scan.out" 2>&1 || { cat "$tmp/cli_scan.out"; fail "nexusmap scan"; exit 1; }
"$exe" nexus "$EV" --routes "$RT" "${nexus_flags[@]}" -o "$tmp/cli" >"$tmp/cli_nx.out" 2>&1 ||
  { cat "$tmp/cli_nx.out"; fail "nexusmap nexus"; exit 1; }
xv "$exe" view "$EV" "$RT" --scan --nexus "${viewer_flags[@]}" --export-geojson "$tmp/vw" --frames 3 \
  --screenshot "$tmp/shot.png" >"$tmp/vw.out" 2>&1 || { cat "$tmp/vw.out"; fail "viewer --scan --nexus"; exit 1; }
grep -E '^scan clusters [1-9]' "$tmp/vw.out" || fail "viewer printed no scan clusters"
grep -E '^nexus units [1-9]' "$tmp/vw.out" || fail "viewer printed no nexus result"
for f in scan_clusters.csv scan_replicas.csv nexus_routes.csv nexus_curves.csv nexus_clq.csv; do
  [ -s "$tmp/vw/$f" ] || { fail "viewer did not export $f"; continue; }
  # Provenance lives in the sidecar NAME.csv.json (the CSV has one plain header row).
  side="$tmp/vw/$f.json"
  [ -s "$side" ] || { fail "$f: no provenance sidecar"; continue; }
  python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); m=m.get("metadata", m); sys.exit(0 if str(m.get("synthetic","")).lower()=="true" else 1)' "$side" ||
    fail "$f: not labelled synthetic"
  diff "$tmp/cli/$f" "$tmp/vw/$f" >"$tmp/d" || { fail "$f differs from the CLI's"; head "$tmp/d"; }
done
grep -q '"events_rule": *"[^"]*precise' "$tmp/vw/scan_clusters.csv.json" || fail "scan CSV does not state the events rule"
for f in scan_clusters nexus_routes; do
  python3 - "$tmp/cli/$f.geojson" "$tmp/vw/$f.geojson" <<'PY' || fail "$f.geojson differs from the CLI's"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
fa, fb = a["features"], b["features"]
assert len(fa) == len(fb) and fa, (len(fa), len(fb))
def flat(c):
    return [c] if isinstance(c[0], (int, float)) else [p for x in c for p in flat(x)]
for x, y in zip(fa, fb):
    assert x["properties"] == y["properties"], (x["properties"], y["properties"])
    px, py = flat(x["geometry"]["coordinates"]), flat(y["geometry"]["coordinates"])
    assert len(px) == len(py) and all(abs(u - v) <= 1e-9 for p, q in zip(px, py) for u, v in zip(p, q))
print(sys.argv[2].rsplit("/", 1)[-1], len(fa), "features equal")
PY
done
# A bad setting is refused with its name, not silently replaced by a default.
xv "$exe" view "$EV" --scan --scan-param bogus=1 --export-geojson "$tmp/bad" --frames 2 >"$tmp/bad.out" 2>&1 &&
  fail "--scan-param bogus=1 accepted"
grep -q "bogus" "$tmp/bad.out" || fail "bad --scan-param message: $(tail -3 "$tmp/bad.out")"
((fails)) && exit 1
echo PASS
