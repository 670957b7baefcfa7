#!/usr/bin/env bash
# The main job: install what is missing, build an optimized ser, create the
# quickstart database (/var/lib/ser/ser.db, SQLite) when it does not exist,
# and run ser on cfg/quickstart.cfg (a registrar and authenticating proxy on
# 127.0.0.1:5060) in the foreground, logging to the terminal. Ctrl-C stops it.
# Add users with: tools/ser-db add-user sqlite:///var/lib/ser/ser.db alice@127.0.0.1 secret
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh build-release -Dbuildtype=release -Dbenchmarks=false -Dtests=false
db=/var/lib/ser/ser.db
if [ ! -f "$db" ]; then
  mkdir -p "$(dirname "$db")"
  SIP_DOMAIN=127.0.0.1 tools/ser-db create sqlite "$db"
  echo "quickstart: created $db; add a user: tools/ser-db add-user sqlite://$db alice@127.0.0.1 secret"
fi
exec build-release/runtime/ser -f cfg/quickstart.cfg --foreground --stderr "$@"
