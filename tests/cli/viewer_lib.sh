# Shared start of the viewer script tests (sourced after they set $exe and $src; not a test
# itself): skips (exit 77) without xvfb-run or the demo data, makes $tmp (removed on exit),
# fail() counting into $fails, points the viewer at the source tree's data and shaders, and
# xv: a command under Xvfb (Mesa llvmpipe) with a time limit. A script that starts the viewer
# many times sets viewer_one_xvfb=WxHxD first: it is then re-run inside one X server (its viewer
# runs need no xv).
if ! command -v xvfb-run >/dev/null 2>&1; then
  echo "SKIP: xvfb-run not found"
  exit 77
fi
if [ -n "${viewer_one_xvfb:-}" ] && [ -z "${NEXUSMAP_IN_XVFB:-}" ]; then
  NEXUSMAP_IN_XVFB=1 exec xvfb-run -a -s "-screen 0 $viewer_one_xvfb" bash "$0" "$exe" "$src"
fi
if [[ ! -f "$src/data/demo/events_synthetic.csv" || ! -f "$src/data/basemap/west_africa.gpkg" ]]; then
  echo "SKIP: demo data missing under $src/data"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
export NEXUSMAP_DATA_DIR="$src/data" NEXUSMAP_SHADER_DIR="$src/shaders"
xv() { timeout 300 xvfb-run -a -s "-screen 0 1600x1000x24" "$@"; }
