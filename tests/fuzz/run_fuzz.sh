#!/usr/bin/env bash
# Builds one libFuzzer target with clang++ (-fsanitize=fuzzer,address,
# undefined) in a private temp dir and runs it for a bounded time.
#   tests/fuzz/run_fuzz.sh <name> <seconds> <sources and clang++ flags...>
# Sources are paths (relative ones from the source root); other arguments
# (-DX, -lfmt, ...) go to clang++ as they are. Seeds: tests/fuzz/corpus/<name>/
# if it exists. Exit 77 (meson: skipped) when clang++ or its fuzzer runtime
# (Debian: clang, libclang-rt-14-dev) is missing.
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 <name> <seconds> <sources...>" >&2
  exit 2
fi
name=$1 seconds=$2
shift 2
root=$(cd "$(dirname "$0")/../.." && pwd)
cxx=${FUZZ_CXX:-clang++}
if ! command -v "$cxx" >/dev/null 2>&1; then
  echo "fuzz: $cxx not found (apt-get install clang libclang-rt-14-dev): skipped"
  exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-$name.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
flags=(-std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I"$root")

# A trivial target tells a missing fuzzer runtime from a broken target.
printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' > "$tmp/probe.cpp"
if ! "$cxx" "${flags[@]}" "$tmp/probe.cpp" -o "$tmp/probe" >"$tmp/probe.log" 2>&1; then
  echo "fuzz: $cxx cannot link -fsanitize=fuzzer (libclang-rt missing?): skipped"
  sed -n 1,5p "$tmp/probe.log"
  exit 77
fi

args=()
for a in "$@"; do
  if [[ $a != -* && $a != /* && -e "$root/$a" ]]; then a="$root/$a"; fi
  args+=("$a")
done
echo "fuzz: building $name"
"$cxx" "${flags[@]}" "${args[@]}" -o "$tmp/$name"

mkdir "$tmp/corpus"
if [ -d "$root/tests/fuzz/corpus/$name" ]; then
  cp "$root/tests/fuzz/corpus/$name"/* "$tmp/corpus/" 2>/dev/null || true
fi
echo "fuzz: running $name for ${seconds}s"
# ASan's leak check stays on; the per-input timeout catches hangs.
# libFuzzer's own failure code is 77, meson's "skipped": make it 1.
set +e
"$tmp/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -error_exitcode=1 -timeout_exitcode=1 -artifact_prefix="$tmp/" "$tmp/corpus" >"$tmp/run.log" 2>&1
rc=$?
set -e
tail -n 60 "$tmp/run.log"
if [ "$rc" -ne 0 ]; then
  for crash in "$tmp"/crash-* "$tmp"/leak-* "$tmp"/timeout-* "$tmp"/oom-*; do
    [ -e "$crash" ] || continue
    echo "fuzz: failing input $crash (hex):"
    od -A d -t x1 "$crash" | head -n 20
  done
fi
exit "$rc"
