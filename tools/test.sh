#!/usr/bin/env bash
# Everything a change must pass: install what is missing, build, run all
# tests (unit + integration with real sockets and sipp), then the same
# suite again on an AddressSanitizer + UBSan build.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT

tools/build.sh build
meson test -C build --print-errorlogs --num-processes 2 | tee -a "$log"

tools/build.sh build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbenchmarks=false -Dbuildtype=debug
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  meson test -C build-asan --print-errorlogs --num-processes 2 --timeout-multiplier 3 | tee -a "$log"

# One closing line over both runs (meson's summaries are per run).
passed=$(awk '/^Ok:/ {n += $2} END {print n + 0}' "$log")
failed=$(awk '/^(Fail|Timeout|Unexpected Pass):/ {n += $NF} END {print n + 0}' "$log")
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
