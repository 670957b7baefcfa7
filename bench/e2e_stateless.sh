#!/usr/bin/env bash
# End to end: sipp phones through ser forwarding statelessly on loopback.
# Prints the CPU seconds ser used (utime+stime of the process) per 10,000
# calls (INVITE/100/180/200/ACK/BYE/200).  Usage: bench/e2e_stateless.sh [builddir] [calls] [rate]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
calls=${2:-10000}
rate=${3:-1000}
tmp=$(mktemp -d)
port=15060; uas=15070; uac=15080
cat > "$tmp/bench.cfg" <<CFG
listen=udp:127.0.0.1:$port
children=2
disable_tcp=yes
loadmodule "sl.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
route {
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); break; };
  if (search("^User-Agent:.*sipp")) { setflag(1); };
  append_hf("P-Hint: bench\r\n");
  forward(uri:host, uri:port);
}
CFG
"$build/runtime/ser" -f "$tmp/bench.cfg" --foreground --stderr > "$tmp/ser.log" 2>&1 &
ser_pid=$!
sipp -nostdin -sn uas -i 127.0.0.1 -p $uas > "$tmp/uas.log" 2>&1 &
uas_pid=$!
cleanup() { kill $ser_pid $uas_pid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
sleep 0.5
tck=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' /proc/$ser_pid/stat; }
before=$(cpu)
start=$(date +%s.%N)
sipp -nostdin 127.0.0.1:$uas -sn uac -rsa 127.0.0.1:$port -i 127.0.0.1 -p $uac \
  -m "$calls" -r "$rate" -l $((rate * 2)) -timeout 300s -trace_stat -fd 1 -stf "$tmp/stat.csv" > "$tmp/uac.log" 2>&1 || true
end=$(date +%s.%N)
after=$(cpu)
ok=$(grep -E 'Successful call' "$tmp/uac.log" | tail -1 | awk -F'|' '{gsub(/ /,"",$3); print $3}')
failed=$(grep -E 'Failed call' "$tmp/uac.log" | tail -1 | awk -F'|' '{gsub(/ /,"",$3); print $3}')
awk -v b="$before" -v a="$after" -v t="$tck" -v n="$calls" -v ok="$ok" -v f="$failed" -v s="$start" -v e="$end" 'BEGIN {
  cpu = (a - b) / t;
  printf "calls: %d successful, %d failed, wall %.1f s\n", ok, f, e - s;
  printf "ser CPU: %.3f s total, %.3f s per 10,000 calls (%.1f us per call)\n", cpu, cpu * 10000 / n, cpu * 1e6 / n;
}'
