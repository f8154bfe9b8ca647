#!/usr/bin/env bash
# The viewer survives every file of the bad-input corpus opened through its loader (headless,
# under Xvfb): each file is opened in a batch run next to the demo; the run must end by itself
# with exit 0 (loaded) or 1 (a readable load error), never a signal, and a failed load must say
# which file and why on stderr. Usage: test_viewer_bad_corpus.sh NEXUSMAP SOURCE_DIR
set -u
exe=$1
src=$2
viewer_one_xvfb=800x600x24 # one X server for all the runs below
source "$(dirname "$0")/viewer_lib.sh" # skips, $tmp, fail(), the data folders
# The .dbf/.shx/.prj side files open with their .shp.
files=$(ls "$src"/tests/data/bad/* | grep -vE '\.(dbf|shx|prj)$')
n=0 ok=0 refused=0
for f in $files; do
  n=$((n + 1))
  timeout 120 "$exe" view "$f" --size 800x600 \
    --screenshot "$tmp/s.png" --force --frames 2 >"$tmp/out" 2>"$tmp/err"
  rc=$?
  case $rc in
    0) ok=$((ok + 1)) ;;
    1) refused=$((refused + 1))
       grep -q "$(basename "$f")" "$tmp/out" "$tmp/err" || { echo "FAIL: $f refused without naming the file"; cat "$tmp/err"; exit 1; } ;;
    *) echo "FAIL: viewer exit $rc on $f"; cat "$tmp/err" | tail -20; exit 1 ;;
  esac
done
echo "viewer bad corpus: $n files, $ok loaded, $refused refused with a message"
[ "$n" -ge 40 ] || { echo "FAIL: corpus too small ($n)"; exit 1; }
