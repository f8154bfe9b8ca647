#!/usr/bin/env bash
# `nexusmap info` on every file of the bad-input corpus (tests/data/bad/, issue #8), plus a 1 MB
# single-line CSV made here: each run must end with exit 0 or 1 (never a signal: 128+N, nor a
# hang), and a failure must say why on stderr, naming the file.
# Usage: test_bad_corpus_cli.sh NEXUSMAP SOURCE_DIR
set -u
BIN=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# Sanitizer builds: a leak report would turn exit 0 into 1 without a message; GDAL/PROJ keep
# process-lifetime caches, so leaks are left to scripts/sanitize.sh's own settings.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

# 1 MB on one line: a header longer than any sane one, then no rows.
python3 - "$T/one_line_1mb.csv" <<'PY' 2>/dev/null || head -c 1048576 /dev/zero | tr '\0' 'a' >"$T/one_line_1mb.csv"
import sys
open(sys.argv[1], "w").write(",".join("c%d" % i for i in range(150000))[:1048576])
PY

n=0 ok=0 refused=0
for f in "$SRC"/tests/data/bad/* "$T/one_line_1mb.csv"; do
  [ -f "$f" ] || continue
  n=$((n + 1))
  timeout 120 "$BIN" info "$f" >"$T/out" 2>"$T/err"
  rc=$?
  case $rc in
    0) ok=$((ok + 1)) ;;
    1)
      refused=$((refused + 1))
      [ -s "$T/err" ] || fail "info $(basename "$f"): exit 1 with nothing on stderr"
      grep -q "error" "$T/err" || { cat "$T/err"; fail "info $(basename "$f"): stderr does not say 'error'"; }
      grep -qF "$(basename "$f")" "$T/err" || { cat "$T/err"; fail "info $(basename "$f"): error does not name the file"; }
      ;;
    124) fail "info $(basename "$f"): still running after 120 s" ;;
    *) cat "$T/err" | tail -20; fail "info $(basename "$f"): exit code $rc (crash or signal)" ;;
  esac
done
[ "$n" -ge 40 ] || fail "corpus has only $n files (expected >= 40)"
echo "bad corpus: $n files, $ok described, $refused refused with a message"
