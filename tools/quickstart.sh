#!/usr/bin/env bash
# The main job: install what is missing, build, and run ser on the
# quickstart config on 127.0.0.1:5060, in the foreground, logging to the
# terminal. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh build
exec build/runtime/ser -f cfg/quickstart.cfg --foreground --stderr "$@"
