#!/usr/bin/env bash
# `nexusmap map`, `nexusmap chart` and `nexusmap density --qml` on the bundled SYNTHETIC demo:
# PNG/PDF/SVG outputs, one PDF page per period with --by (pdfinfo), one fixed legend range across
# the periods (stdout), the small-multiples sheet, .qml sidecars that parse as XML (xmllint) and
# name the ramp stops and range, hot-spot maps, charts, and clear errors.
# Usage: test_map_cli.sh <nexusmap binary> <source dir>. Exit 77 (skip) without pdfinfo/xmllint.
set -u
BIN=${1:?nexusmap binary}
SRC=${2:?source dir}
EV="$SRC/data/demo/events_synthetic.csv"
MASK="$SRC/data/basemap/west_africa.gpkg:admin0"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export NEXUSMAP_PROGRESS=0
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
for tool in pdfinfo xmllint; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed (apt-get install poppler-utils libxml2-utils)"; exit 77; }
done
run() {
    local name=$1
    shift
    "$BIN" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
}
is_png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]; }

# 1. One density map as PNG at a pixel size, with a GeoTIFF + .qml of what it drew.
if run map1 map "$EV" -o "$TMP/d.png" --width 1600 --height 1000 --from 2020-01-01 --to 2024-12-31 \
       --mask "$MASK" --write-raster "$TMP/d.tif"; then
    is_png "$TMP/d.png" && ok "map PNG written" || fail "d.png is not a PNG"
    grep -q "legend linear 0\.\." "$TMP/map1.out" && ok "legend range reported" || fail "no legend range: $(cat "$TMP/map1.out")"
    [ -s "$TMP/d.qml" ] && xmllint --noout "$TMP/d.qml" && ok "map --write-raster .qml is XML" || fail "d.qml missing or not XML"
else
    fail "map PNG exited non-zero: $(tail -3 "$TMP/map1.err")"
fi
# Refuses to overwrite without --force; unknown extension is an error.
run map1b map "$EV" -o "$TMP/d.png" && fail "overwrote d.png without --force" || ok "existing output refused"
run map1c map "$EV" -o "$TMP/d.bmp" && fail "accepted .bmp" || grep -q "png, .pdf or .svg" "$TMP/map1c.err" && ok ".bmp refused clearly"
run map1d map -o "$TMP/x.png" && fail "ran with no input" || ok "no input refused"

# 2. --period year as PDF: one page per year, one legend range on every page, a sheet (PNG + PDF).
if run by map "$EV" -o "$TMP/y.pdf" --period year --from 2021-01-01 --to 2024-12-31 --mask "$MASK"; then
    pages=$(pdfinfo "$TMP/y.pdf" | awk '/^Pages:/ {print $2}')
    [ "$pages" = 4 ] && ok "4 pages for 2021..2024" || fail "y.pdf has $pages pages, expected 4"
    ranges=$(grep -o "legend linear [^ ]*" "$TMP/by.out" | sort -u | wc -l)
    n=$(grep -c "legend linear" "$TMP/by.out")
    [ "$n" = 4 ] && [ "$ranges" = 1 ] && ok "one fixed legend range on all 4 pages" || fail "legend ranges: $(grep legend "$TMP/by.out")"
    # The fixed scale is the max of the periods' own maxima.
    awk '/own max/ {for (i = 1; i <= NF; ++i) if ($i == "max") m = $(i+1); gsub(/\)/, "", m); if (m + 0 > mx) mx = m + 0;
                    split($0, a, "legend linear 0.."); split(a[2], b, " "); top = b[1] + 0}
         END {exit !(mx > 0 && (top - mx) / mx < 0.01 && (mx - top) / mx < 0.01)}' "$TMP/by.out" \
        && ok "legend top = max over the periods" || fail "legend top is not the max over periods: $(cat "$TMP/by.out")"
    is_png "$TMP/y_sheet.png" && ok "sheet PNG" || fail "no sheet PNG"
    [ "$(pdfinfo "$TMP/y_sheet.pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')" = 1 ] && ok "sheet PDF is one page" || fail "sheet PDF"
else
    fail "map --period year exited non-zero: $(tail -3 "$TMP/by.err")"
fi
# --period quarter as PNG: one file per quarter.
if run byq map "$EV" -o "$TMP/q.png" --period quarter --from 2024-01-01 --to 2024-12-31 --width 800 --height 560; then
    n=$(ls "$TMP"/q_2024-Q?.png 2>/dev/null | wc -l)
    [ "$n" = 4 ] && ok "4 quarterly PNGs" || fail "$n quarterly PNGs"
else
    fail "map --period quarter exited non-zero: $(tail -3 "$TMP/byq.err")"
fi

# 3. SVG and PDF single maps on paper sizes.
run svg map "$EV" -o "$TMP/d.svg" --page letter --portrait --ramp ylorrd --scale sqrt \
    && xmllint --noout "$TMP/d.svg" && ok "SVG map is XML" || fail "SVG map"
run pdf1 map "$EV" -o "$TMP/d.pdf" --page A3 --events-points \
    && [ "$(pdfinfo "$TMP/d.pdf" | awk '/^Pages:/ {print $2}')" = 1 ] \
    && pdfinfo "$TMP/d.pdf" | grep -q "1190.55 x 841.89" && ok "A3 landscape PDF" || fail "A3 PDF: $(pdfinfo "$TMP/d.pdf" 2>&1 | grep -i size)"

# 4. density --qml: the ramp's stops and the range.
if run dq density "$EV" -o "$TMP/k.tif" --qml magma; then
    q="$TMP/k.qml"
    xmllint --noout "$q" && ok "density .qml is XML" || fail "density .qml not XML"
    [ "$(xmllint --xpath 'count(//colorrampshader/item)' "$q")" = 9 ] && ok "9 ramp items" || fail "item count"
    [ "$(xmllint --xpath 'string(//rasterrenderer/@type)' "$q")" = singlebandpseudocolor ] && ok "singlebandpseudocolor" || fail "renderer type"
    first=$(xmllint --xpath 'string(//colorrampshader/item[1]/@color)' "$q")
    last=$(xmllint --xpath 'string(//colorrampshader/item[9]/@color)' "$q")
    [ "$first" = "#000004" ] && [ "$last" = "#fcfdbf" ] && ok "magma end stops" || fail "stops $first $last"
    max=$(xmllint --xpath 'string(//colorrampshader/@maximumValue)' "$q")
    grep -q "0\.\.$max" "$TMP/dq.out" && ok "qml max = the raster max ($max)" || fail "qml max $max vs $(cat "$TMP/dq.out")"
    if command -v gdalinfo >/dev/null; then
        gmax=$(gdalinfo -mm "$TMP/k.tif" 2>/dev/null | awk -F'[=,]' '/Computed Min\/Max/ {print $3}')
        awk -v a="$gmax" -v b="$max" 'BEGIN {exit !((a - b) / b < 0.01 && (b - a) / b < 0.01)}' \
            && ok "qml max matches gdalinfo ($gmax)" || fail "qml max $max vs gdalinfo $gmax"
    fi
else
    fail "density --qml exited non-zero: $(tail -3 "$TMP/dq.err")"
fi

# 5. Hot spots from `nexusmap hotspots` (hexagon GeoJSON and fishnet GeoTIFF).
if run hs hotspots "$EV" --units hex --cell-km 50 --out "$TMP/hs" && run hsf hotspots "$EV" --units fishnet --cell-km 50 --out "$TMP/fn"; then
    run hmap map --hotspots "$TMP/hs_gistar.geojson" -o "$TMP/hot.png" --width 1200 --height 800 \
        && grep -q "hot99 [1-9]" "$TMP/hmap.out" && ok "hot-spot map (GeoJSON) draws +3 units" || fail "hot map: $(cat "$TMP/hmap.out" "$TMP/hmap.err")"
    run hmap2 map "$EV" --hotspots "$TMP/fn_gistar.tif" -o "$TMP/hot2.pdf" \
        && grep -q "hot99 [1-9]" "$TMP/hmap2.out" && ok "hot-spot map (fishnet GeoTIFF) draws +3 cells" || fail "hot map 2: $(cat "$TMP/hmap2.err")"
else
    fail "hotspots failed: $(tail -3 "$TMP/hs.err")"
fi

# 6. Charts.
for c in events-per-month front bands profile; do
    run "c_$c" chart "$c" "$EV" -o "$TMP/$c.png" && is_png "$TMP/$c.png" && ok "chart $c" || fail "chart $c: $(tail -3 "$TMP/c_$c.err")"
done
run csvg chart bands "$EV" -o "$TMP/bands.svg" && xmllint --noout "$TMP/bands.svg" && ok "chart SVG is XML" || fail "chart SVG"
grep -q "front velocity +" "$TMP/c_front.out" && ok "front moves toward the coast" || fail "front velocity: $(cat "$TMP/c_front.out")"
run cbad chart profile "$EV" -o "$TMP/p2.png" --route "no such route" && fail "unknown route accepted" \
    || grep -q "matches no route" "$TMP/cbad.err" && ok "unknown route named" 

[ $fails -eq 0 ] && echo "all map/chart checks passed" || echo "$fails failure(s)"
exit $((fails > 0))
