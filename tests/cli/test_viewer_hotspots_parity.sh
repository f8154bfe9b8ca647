#!/usr/bin/env bash
# Issue #15, "done when": `nexusmap hotspots | lisa | emerging` and the viewer's export path
# (Hot spots panel run with --hot-param settings, written by --export-hotspots through geo's one
# product writer) on the same events and parameters give the same products:
#   - the per-unit CSV tables byte-identical;
#   - every GeoTIFF pixel identical (gdal_translate -of XYZ prints the float32 values);
#   - the metadata (CSV sidecar .csv.json, GeoTIFF tags, GeoJSON "metadata") identical except
#     "created", the run's own timestamp.
# Usage: test_viewer_hotspots_parity.sh NEXUSMAP SOURCE_DIR
set -u
exe=$1
src=$2
viewer_one_xvfb=1600x1000x24 # one X server for all the viewer runs below
source "$(dirname "$0")/viewer_lib.sh" # skips, $tmp, fail(), NEXUSMAP_DATA_DIR
for tool in gdal_translate gdalinfo python3; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
export NEXUSMAP_PROGRESS=0
ev="$src/data/demo/events_synthetic.csv"

# Metadata of a file without "created" (and the GDAL-internal tags), one KEY=VALUE per line.
meta() {
  case "$1" in
    *.csv) python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["metadata"]; m.pop("created",None); [print(k+"="+v) for k,v in sorted(m.items())]' "$1.json" ;;
    *.geojson) python3 -c 'import json,sys; m=json.load(open(sys.argv[1])).get("metadata",{}); m.pop("created",None); [print(k+"="+str(v)) for k,v in sorted(m.items())]' "$1" ;;
    *.tif) gdalinfo "$1" | sed -n '/^Metadata:/,/^[A-Z]/p' | grep -v 'created=' ;;
  esac
}

# parity NAME CLI_COMMAND VIEWER_RUN_FLAG "CLI FLAGS" "VIEWER --hot-param SETTINGS"
parity() {
  local name=$1 cmd=$2 run=$3 cli_flags=$4 hot=$5
  local c="$tmp/cli_$name" v="$tmp/viewer_$name"
  # shellcheck disable=SC2086
  if ! "$exe" "$cmd" "$ev" $cli_flags --out "$c" >"$c.out" 2>"$c.err"; then
    fail "$name: CLI exited with an error: $(cat "$c.err")"
    return
  fi
  local hp=()
  for kv in $hot; do hp+=(--hot-param "$kv"); done
  if ! timeout 300 "$exe" view "$ev" "$run" "${hp[@]}" --export-hotspots "$v" --frames 2 >"$v.out" 2>"$v.err"; then
    fail "$name: viewer exited with an error: $(cat "$v.err" "$v.out")"
    return
  fi
  local n=0
  for f in "$c"_*; do
    local suffix=${f#"$c"}
    case "$suffix" in *.gpkg | *.qml | *.aux.xml | *.csvt | *.json | *.out | *.err) continue ;; esac
    local g="$v$suffix"
    [ -s "$g" ] || { fail "$name: the viewer wrote no $suffix"; continue; }
    n=$((n + 1))
    case "$suffix" in
      *.csv)
        cmp -s "$f" "$g" && echo "ok: $name$suffix table byte-identical" || fail "$name$suffix: tables differ: $(diff "$f" "$g" | head -5)" ;;
      *.tif)
        local bands
        bands=$(gdalinfo "$f" | grep -c '^Band ')
        for b in $(seq 1 "$bands"); do
          gdal_translate -q -b "$b" -of XYZ "$f" "$tmp/a.xyz" && gdal_translate -q -b "$b" -of XYZ "$g" "$tmp/b.xyz" ||
            { fail "$name$suffix: gdal_translate failed"; continue; }
          cmp -s "$tmp/a.xyz" "$tmp/b.xyz" || fail "$name$suffix band $b: pixels differ"
        done
        echo "ok: $name$suffix $bands band(s) compared" ;;
    esac
    if [ "$(meta "$f")" = "$(meta "$g")" ]; then
      echo "ok: $name$suffix metadata identical (but 'created')"
    else
      fail "$name$suffix: metadata differ: $(diff <(meta "$f") <(meta "$g") | head -8)"
    fi
    [ -n "$(meta "$f")" ] || fail "$name$suffix: no metadata read"
  done
  [ "$n" -ge 2 ] || fail "$name: only $n files compared"
}

# Small permutation counts keep the runs short; the seeds are the same on both sides.
parity gistar hotspots --hotspots "--units fishnet --cell-km 40 --permutations 99 --seed 7" \
  "cell-km=40 permutations=99 seed=7"
parity gistar_band hotspots --hotspots "--units fishnet --cell-km 50 --band-km 120 --study-area all --permutations 0 --fdr" \
  "cell-km=50 band-km=120 study-area=all permutations=0 fdr=1"
parity lisa lisa --lisa "--units fishnet --cell-km 50 --permutations 99 --seed 3 --alpha 0.1" \
  "cell-km=50 permutations=99 seed=3 alpha=0.1"
parity emerging emerging --emerging "--units fishnet --cell-km 75 --period year" \
  "cell-km=75 period=year"

if ((fails)); then
  echo "$fails check(s) failed"
  exit 1
fi
echo "PASS"
