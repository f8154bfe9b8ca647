#!/usr/bin/env bash
# Ctrl-C / SIGTERM cancel long work (issue #19): the signal sets the progress cancel flag, the
# analysis unwinds, the command exits 130 saying "cancelled", and no output and no temporary file
# is left (also not over an existing output with --force: the old file stays as it was).
# Usage: test_cancel_cli.sh NEXUSMAP SOURCE_DIR
set -u
BIN=$1
SRC=$2
T=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
EV=$SRC/data/demo/events_synthetic.csv
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
export NEXUSMAP_PROGRESS=0

# A density of ~2.4e7 cells with the exact method: many seconds of work, progress all along.
cancelled=0
for sig in INT TERM; do
  mkdir -p "$T/$sig"
  echo "old" >"$T/$sig/old.tif"
  "$BIN" density "$EV" -o "$T/$sig/old.tif" --force --cell-km 0.5 --bandwidth-km 20 --exact --max-cells 1e9 \
    >"$T/$sig/out" 2>"$T/$sig/err" &
  PID=$!
  # Wait until it is past loading (the grid line is printed after the KDE; the load summary before).
  for _ in $(seq 1 200); do
    grep -q "records loaded" "$T/$sig/out" 2>/dev/null && break
    sleep 0.05
  done
  sleep 0.5
  kill -s $sig "$PID" 2>/dev/null || { wait "$PID"; PID=; echo "note: finished before SIG$sig"; continue; }
  wait "$PID"
  rc=$?
  PID=
  if [ $rc = 0 ]; then echo "note: finished before SIG$sig arrived"; continue; fi
  [ $rc = 130 ] || { cat "$T/$sig/err"; fail "SIG$sig: exit $rc, expected 130"; }
  grep -q "cancelled" "$T/$sig/err" || { cat "$T/$sig/err"; fail "SIG$sig: no 'cancelled' message"; }
  [ "$(cat "$T/$sig/old.tif")" = old ] || fail "SIG$sig: the old output was replaced"
  ls -A "$T/$sig" | grep -q 'tmp' && { ls -la "$T/$sig"; fail "SIG$sig: a temporary file was left"; }
  cancelled=$((cancelled + 1))
done
[ $cancelled -ge 1 ] || { echo "SKIP: every run finished before the signal"; exit 77; }
echo "cancel: $cancelled signalled runs stopped cleanly"
