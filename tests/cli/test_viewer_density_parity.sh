#!/usr/bin/env bash
# Issue #15: the viewer's GeoTIFF export and `nexusmap density` are one pipeline (geo's
# pipeline::run_density). On the bundled real UCDP events, one year, the same kernel, bandwidth and
# cell, they must write the same grid, every cell equal to the bit (compared as text at 9
# significant digits and by checksum) and the same metadata but the creation time. Before, the
# viewer wrote "bandwidth_km=50.000000", its own keys and the exact path where the CLI used FFT.
# Usage: test_viewer_density_parity.sh NEXUSMAP SOURCE_DIR
set -u
exe=$1
src=$2
source "$(dirname "$0")/viewer_lib.sh" # skips, $tmp, fail(), xv
ev=$src/data/real/ucdp_ged241_uemoa6.csv
[ -f "$ev" ] || { echo "SKIP: $ev missing"; exit 77; }
command -v gdalinfo >/dev/null && command -v python3 >/dev/null || { echo "SKIP: gdalinfo/python3 missing"; exit 77; }

run_pair() { # NAME KERNEL BANDWIDTH CELL
  local name=$1 kernel=$2 bw=$3 cell=$4
  "$exe" density "$ev" --from 2019-01-01 --to 2019-12-31 --kernel "$kernel" --bandwidth-km "$bw" --cell-km "$cell" \
    -o "$tmp/$name.cli.tif" >"$tmp/$name.cli.out" 2>&1 || { fail "$name: density failed"; cat "$tmp/$name.cli.out"; return; }
  xv "$exe" view "$ev" --window 2019-01,12 --kernel "$kernel" --bandwidth-km "$bw" --export-tif "$tmp/$name.vw.tif" \
    --export-tif-cell-km "$cell" >"$tmp/$name.vw.out" 2>&1 || { fail "$name: viewer export failed"; cat "$tmp/$name.vw.out"; return; }
  python3 - "$tmp/$name.cli.tif" "$tmp/$name.vw.tif" "$name" <<'PY' || fail "$name: the viewer's raster differs from the CLI's"
import json, subprocess, sys
def info(p):
    return json.loads(subprocess.run(["gdalinfo", "-json", "-checksum", "-mdd", "all", p], check=True,
                                     capture_output=True, text=True).stdout)
a, b, name = info(sys.argv[1]), info(sys.argv[2]), sys.argv[3]
bad = []
for k in ("size", "geoTransform"):
    if a[k] != b[k]: bad.append(f"{k}: cli {a[k]} viewer {b[k]}")
if a["coordinateSystem"]["wkt"] != b["coordinateSystem"]["wkt"]: bad.append("CRS differs")
ba, bb = a["bands"][0], b["bands"][0]
if ba.get("checksum") != bb.get("checksum"): bad.append(f"checksum cli {ba.get('checksum')} viewer {bb.get('checksum')}")
ma = dict(a["metadata"].get("", {})); mb = dict(b["metadata"].get("", {}))
for m in (ma, mb): m.pop("created", None)
for k in sorted(set(ma) | set(mb)):
    if ma.get(k) != mb.get(k): bad.append(f"metadata {k}: cli {ma.get(k)!r} viewer {mb.get(k)!r}")
print(f"[{name}] size {a['size']}, {len(ma)} metadata keys, checksum {ba.get('checksum')}")
for line in bad: print("  " + line)
sys.exit(1 if bad else 0)
PY
  # Every cell as text (checksums sum integer parts; this compares the values themselves).
  gdal_translate -q -of XYZ -co DECIMAL_PRECISION=9 "$tmp/$name.cli.tif" "$tmp/$name.cli.xyz" &&
    gdal_translate -q -of XYZ -co DECIMAL_PRECISION=9 "$tmp/$name.vw.tif" "$tmp/$name.vw.xyz" ||
    { fail "$name: gdal_translate failed"; return; }
  cmp -s "$tmp/$name.cli.xyz" "$tmp/$name.vw.xyz" || fail "$name: cell values differ ($(diff "$tmp/$name.cli.xyz" "$tmp/$name.vw.xyz" | head -3))"
  [ "$(wc -l <"$tmp/$name.cli.xyz")" -gt 1000 ] || fail "$name: suspiciously small raster"
}
run_pair quartic quartic 50 10
run_pair gaussian gaussian 25 5
[ "$fails" -eq 0 ] || exit 1
echo "PASS: viewer GeoTIFF export == nexusmap density (values, grid, CRS, metadata)"
