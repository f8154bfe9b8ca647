#!/usr/bin/env bash
# Regression (issue #14): print maps carried no names. A PDF map of the bundled real UCDP events
# must hold the country and capital names as text (pdftotext), and --no-labels must remove them.
set -u
exe=$1 src=$2
command -v pdftotext >/dev/null || { echo "SKIP: pdftotext (poppler-utils) not installed"; exit 77; }
export NEXUSMAP_DATA_DIR="$src/data"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
"$exe" map "$src/data/real/ucdp_ged241_uemoa6.csv" -o "$tmp/real.pdf" >"$tmp/log" 2>&1 || fail "map failed: $(tail -3 "$tmp/log")"
text=$(pdftotext "$tmp/real.pdf" - 2>/dev/null | tr '\n' ' ')
for name in MALI "BURKINA FASO" NIGER "CÔTE D'IVOIRE" GHANA TOGO BENIN Bamako Ouagadougou Niamey Accra Lomé Porto-Novo; do
  grep -qF "$name" <<<"$text" || fail "the PDF map has no label '$name'"
done
"$exe" map "$src/data/real/ucdp_ged241_uemoa6.csv" -o "$tmp/plain.pdf" --no-labels >"$tmp/log2" 2>&1 || fail "--no-labels failed"
plain=$(pdftotext "$tmp/plain.pdf" - 2>/dev/null | tr '\n' ' ')
grep -qF "Ouagadougou" <<<"$plain" && fail "--no-labels still draws place names"
# Zoomed in (central Sahel), more places and admin-1 names appear.
"$exe" map "$src/data/real/ucdp_ged241_uemoa6.csv" -o "$tmp/zoom.pdf" --bbox -4,11,3,16 >"$tmp/log3" 2>&1 || fail "zoomed map failed"
zoom=$(pdftotext "$tmp/zoom.pdf" - 2>/dev/null | tr '\n' ' ')
grep -qF "Ouahigouya" <<<"$zoom" || fail "the zoomed map lacks a minor town (Ouahigouya)"
[ "$fails" = 0 ] && echo "PASS: map labels"
exit $((fails > 0))
