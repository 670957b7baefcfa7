#!/usr/bin/env bash
# The main job: install what is missing, build an optimized ser, create the
# quickstart database (/var/lib/ser/ser.db, SQLite) when it does not exist,
# and run ser on cfg/quickstart.cfg (a registrar and authenticating proxy on
# 127.0.0.1:5060) in the foreground, logging to the terminal, with its FIFO at
# /tmp/ser_fifo for serctl, and rtpproxy relaying the calls' media. Ctrl-C stops both.
# Add users with: SER_DB_URL=sqlite:///var/lib/ser/ser.db tools/serctl add alice@127.0.0.1 secret
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh build-release -Dbuildtype=release -Dbenchmarks=false -Dtests=false
db=/var/lib/ser/ser.db
if [ ! -f "$db" ]; then
  mkdir -p "$(dirname "$db")"
  SIP_DOMAIN=127.0.0.1 tools/ser-db create sqlite "$db"
  echo "quickstart: created $db; add a user: SER_DB_URL=sqlite://$db tools/serctl add alice@127.0.0.1 secret"
fi
# The media relay for the calls (cfg/quickstart.cfg's rtpproxy_sock); it
# stops with ser.
build-release/rtpproxy/rtpproxy -f -l 127.0.0.1 -s unix:/tmp/ser_rtpproxy.sock -d INFO &
rtpproxy=$!
trap 'kill "$rtpproxy" 2>/dev/null || true' EXIT
build-release/runtime/ser -f cfg/quickstart.cfg -i /tmp/ser_fifo --foreground --stderr "$@"
