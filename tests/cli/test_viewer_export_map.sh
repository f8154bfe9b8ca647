#!/usr/bin/env bash
# The viewer's print map under Xvfb: `--export-map FILE` renders the current view with geo's map
# renderer (the code behind `nexusmap map`). Checks: PNG page size, the legend range it prints equals
# the viewer's colour range (heat_max), the legend bar's ramp colours, the red SYNTHETIC mark, a
# blank page margin, heat colours at the Liptako-Gourma hot spot close to the screen's and to the
# ramp, plain sea in the Gulf of Guinea; the PDF has one page of the asked paper size; SVG is
# written; a bad extension is refused.
# Usage: test_viewer_export_map.sh <path-to-nexusmap> <source-dir>
# Exit 77 (skipped) when xvfb-run is not installed.
set -u
exe=${1:?usage: test_viewer_export_map.sh NEXUSMAP SOURCE_DIR}
src=${2:?usage: test_viewer_export_map.sh NEXUSMAP SOURCE_DIR}

source "$(dirname "$0")/viewer_lib.sh" # skips, $tmp, fail(), xv
# RGB of PNG pixels: "X Y R G B" lines.
px() { local f=$1; shift; "$exe" view --probe-png "$f" "$@" | awk '$1=="pixel"{print $2, $3, $4, $5, $6}'; }
# |a - b| <= tol for each channel of two "R G B" triples.
close() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN{split(a,x," "); split(b,y," ");
  for (i=1;i<=3;i++){d=x[i]-y[i]; if (d<0) d=-d; if (d>t) exit 1}}'; }
# YlOrRd (the viewer's default ramp) at t, from its 9 stops, as "R G B".
ylorrd() { awk -v t="$1" 'BEGIN{
  split("255 255 254 254 253 252 227 189 128", R, " "); split("255 237 217 178 141 78 26 0 0", G, " ");
  split("204 160 118 76 60 42 28 38 38", B, " ");
  if (t<0) t=0; if (t>1) t=1; s=t*8; i=int(s); if (i>7) i=7; f=s-i;
  printf "%d %d %d\n", R[i+1]+(R[i+2]-R[i+1])*f+0.5, G[i+1]+(G[i+2]-G[i+1])*f+0.5, B[i+1]+(B[i+2]-B[i+1])*f+0.5}'; }

# 1. PNG print (A4 at 150 dpi) and a screenshot of the same session, with probes.
if ! xv "$exe" view --demo --size 1400x900 --screenshot "$tmp/shot.png" --frames 3 --export-map "$tmp/map.png" \
     --probe 0.5,14.5 --probe -5,2.5 >"$tmp/out.txt" 2>"$tmp/err.txt"; then
  echo "FAIL: viewer exited with an error"
  cat "$tmp/out.txt" "$tmp/err.txt"
  exit 1
fi
cat "$tmp/out.txt"
[[ -s "$tmp/map.png" ]] || { echo "FAIL: no print map PNG"; cat "$tmp/err.txt"; exit 1; }
read -r _ _ W H _ lo hi scale ramp < <(grep '^export_map ' "$tmp/out.txt")
[[ "$W" == 1754 && "$H" == 1240 ]] || fail "A4 landscape at 150 dpi should be 1754x1240, got ${W}x${H}"
grep -q '^size 1754 1240$' < <("$exe" view --probe-png "$tmp/map.png" 0 0) || fail "PNG file is not 1754x1240"
# The legend states the viewer's colour range: auto = 0 .. the heat grid's maximum.
heat_max=$(awk '$1=="heat_max"{print $2}' "$tmp/out.txt")
echo "legend $lo .. $hi ($scale, $ramp); viewer heat_max $heat_max"
awk -v lo="$lo" -v hi="$hi" -v m="$heat_max" 'BEGIN{d=hi-m; if (d<0) d=-d; exit !(lo==0 && m>0 && d<=1e-5*m)}' ||
  fail "printed legend range $lo..$hi is not the viewer's 0..$heat_max"
[[ "$scale" == linear && "$ramp" == ylorrd ]] || fail "legend should say linear / ylorrd (the viewer's), got $scale / $ramp"

# Legend colour bar: the ramp at t = 0.5 and t = 0.97.
read -r _ bx0 by0 bx1 by1 < <(grep '^export_map_colorbar ' "$tmp/out.txt")
if [[ -z "${bx0:-}" ]]; then
  fail "no colour bar reported"
else
  y=$(((by0 + by1) / 2))
  for t in 0.5 0.97; do
    x=$(awk -v a="$bx0" -v b="$bx1" -v t="$t" 'BEGIN{printf "%d", a + t * (b - a)}')
    got=$(px "$tmp/map.png" "$x" "$y" | cut -d' ' -f3-)
    want=$(ylorrd "$t")
    close "$got" "$want" 8 || fail "legend bar at t=$t: got $got, want $want"
  done
fi

# The red SYNTHETIC DEMO DATA mark near the frame's top-left corner.
read -r _ fx0 fy0 fx1 fy1 _ margin _ < <(grep '^export_map_frame ' "$tmp/out.txt")
red=$(px "$tmp/map.png" $(for x in $(seq $((fx0 + 15)) 10 $((fx0 + 300))); do for y in $((fy0 + 20)) $((fy0 + 28)) $((fy0 + 36)); do echo "$x $y"; done; done) |
  awk '$3 > 150 && $4 < 80 && $5 < 80' | wc -l)
((red >= 10)) || fail "no red SYNTHETIC mark in the print ($red red samples)"

# Nothing is drawn in the page margin.
ink=$(px "$tmp/map.png" $(for x in $(seq 2 37 $((W - 3))); do echo "$x 3 $x $((H - 4))"; done; for y in $(seq 2 31 $((H - 3))); do echo "3 $y $((W - 4)) $y"; done) |
  awk '!($3 == 255 && $4 == 255 && $5 == 255)' | wc -l)
((ink == 0)) || fail "$ink non-white samples in the page margin"
((margin >= 10)) || fail "margin $margin px is too small"

# Heat at Liptako-Gourma (0.5E 14.5N): the print's colour is the screen's, and the ramp colour of
# the density there (t = probe_density / heat_max) at the heat's opacity over the land.
read -r _ _ _ sx sy _ < <(grep '^probe 0.5 14.5 ' "$tmp/out.txt")
read -r _ _ _ mx my _ < <(grep '^export_map_probe 0.5 14.5 ' "$tmp/out.txt")
dens=$(awk '$1=="probe_density" && $2==0.5 {print $4}' "$tmp/out.txt")
if [[ -z "${mx:-}" || -z "${sx:-}" || -z "$dens" ]]; then
  fail "no probes for the hot spot"
else
  screen=$(px "$tmp/shot.png" "$sx" "$sy" | cut -d' ' -f3-)
  print=$(px "$tmp/map.png" "$mx" "$my" | cut -d' ' -f3-)
  ramp_c=$(ylorrd "$(awk -v d="$dens" -v m="$heat_max" 'BEGIN{print d / m}')")
  want=$(echo "$ramp_c" | awk '{printf "%d %d %d", 0.75 * $1 + 0.25 * 245, 0.75 * $2 + 0.25 * 242, 0.75 * $3 + 0.25 * 235}')
  echo "hot spot: screen $screen, print $print, ramp over land $want (density $dens)"
  close "$print" "$screen" 25 || fail "print colour at the hot spot ($print) differs from the screen's ($screen)"
  close "$print" "$want" 45 || fail "print colour at the hot spot ($print) is not the ramp colour ($want)"
  echo "$print" | awk '{exit !($1 > 150 && $1 - $3 > 60)}' || fail "no heat colour at the hot spot ($print)"
fi
# Plain sea in the Gulf of Guinea (5W 2.5N): MapSpec's sea colour #dde8f0.
read -r _ _ _ qx qy _ < <(grep '^export_map_probe -5 2.5 ' "$tmp/out.txt")
sea=$(px "$tmp/map.png" "${qx:-0}" "${qy:-0}" | cut -d' ' -f3-)
close "$sea" "221 232 240" 3 || fail "sea at 5W 2.5N should be #dde8f0, got $sea"

# 2. PDF on A3: one page of A3 landscape (pdfinfo, poppler-utils).
if ! xv "$exe" view --demo --size 1000x700 --export-map "$tmp/map.pdf" --export-map-page A3 >"$tmp/out2.txt" 2>"$tmp/err2.txt"; then
  fail "PDF print failed"
  cat "$tmp/err2.txt"
fi
[[ -s "$tmp/map.pdf" ]] || fail "no PDF written"
grep -q '^export_map .*map.pdf 1191 842 legend 0 ' "$tmp/out2.txt" || fail "PDF: expected an A3 page (1191x842 pt) with a 0.. legend"
if command -v pdfinfo >/dev/null 2>&1; then
  pdfinfo "$tmp/map.pdf" >"$tmp/pdfinfo.txt" 2>&1 || fail "pdfinfo cannot read the PDF"
  grep -Eq '^Pages: +1$' "$tmp/pdfinfo.txt" || fail "PDF should have 1 page: $(grep Pages "$tmp/pdfinfo.txt")"
  grep -Eq '^Page size: +1190\.5[0-9]* x 841\.8[0-9]* pts' "$tmp/pdfinfo.txt" || fail "PDF is not A3 landscape: $(grep 'Page size' "$tmp/pdfinfo.txt")"
  # Regression (issue #14): the viewer's print carried no names; now country and capital labels.
  if command -v pdftotext >/dev/null 2>&1; then
    names=$(pdftotext "$tmp/map.pdf" - 2>/dev/null | tr '\n' ' ')
    for n in MALI "BURKINA FASO" NIGER Bamako Ouagadougou Niamey; do
      grep -qF "$n" <<<"$names" || fail "the viewer's PDF print has no label '$n'"
    done
  fi
else
  echo "note: pdfinfo not installed, PDF page count not checked"
fi

# 3. SVG, and a bad extension.
xv "$exe" view --demo --size 1000x700 --export-map "$tmp/map.svg" >"$tmp/out3.txt" 2>"$tmp/err3.txt" || fail "SVG print failed"
head -c 300 "$tmp/map.svg" 2>/dev/null | grep -q '<svg' || fail "no SVG document written"
"$exe" view --demo --export-map "$tmp/map.jpg" >"$tmp/out4.txt" 2>&1
rc=$?
((rc == 2)) || fail "a .jpg print should be refused with exit 2, got $rc"
grep -q 'export-map.*expects a .png, .pdf or .svg' "$tmp/out4.txt" || fail "no clear message for a .jpg print"
[[ ! -e "$tmp/map.jpg" ]] || fail "a .jpg file was written"

if ((fails)); then
  echo "$fails check(s) failed; stderr of the viewer:"
  cat "$tmp/err.txt"
  exit 1
fi
echo "PASS"
