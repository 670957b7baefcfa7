#!/usr/bin/env bash
# End to end, nathelper's cost: the same sipp call flow (INVITE with SDP /
# 100 / 180 / 200 with SDP / ACK / BYE / 200, record-routed) through ser with
# tm + rr, once relaying only and once with the media put through our
# rtpproxy (force_rtp_proxy on the INVITE and on the 200, unforce_rtp_proxy
# on the BYE: one U, one L and one D command per call over the unix
# socket), taking turns round after round at the same fixed rate. Prints the
# CPU per call of ser (its whole process) and of rtpproxy, and the ratio
# with/without. No RTP is sent: this measures the signalling path.
#
# Usage: bench/e2e_nathelper.sh [builddir] [calls per round] [rate]
#   defaults: build-release 5000 500
# Environment: ROUNDS (3), PORT_BASE (17000), BUDGET (hard bound in seconds
# on every process started here, 900), CTRL (unix, or udp: the control
# protocol over one connected UDP socket per worker instead of a unix
# connection per command).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
build=${1:-build-release}
calls=${2:-5000}
rate=${3:-500}
rounds=${ROUNDS:-3}
budget=${BUDGET:-900}
base=${PORT_BASE:-17000}
uas=$((base + 70)); uac=$((base + 80))
ctrl=${CTRL:-unix}

for f in "$build/runtime/ser" "$build/modules/nathelper/nathelper.so" "$build/rtpproxy/rtpproxy"; do
  [ -e "$f" ] || { echo "missing $f (build first: ninja -C $build)" >&2; exit 2; }
done
command -v sipp > /dev/null || { echo "sipp is missing: run tools/setup.sh" >&2; exit 2; }
build=$(cd "$build" && pwd)
tmp=$(mktemp -d /tmp/e2e_nathelper.XXXXXX)
roots=()
source "$repo/bench/lib/proc.sh"
cleanup() { local r; for r in "${roots[@]}"; do stop_tree "$r"; done; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
cd "$tmp"

if [ "$ctrl" = udp ]; then sock="udp:127.0.0.1:$((base + 90))"; else sock="unix:$tmp/rtpproxy.sock"; fi
# Two sers: "plain" relays, "nat" also drives rtpproxy.
write_cfg() {   # name port media-lines
  cat > "$tmp/$1.cfg" <<CFG
listen=udp:127.0.0.1:$2
children=2
disable_tcp=yes
sip_warning=no
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "rr.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "nathelper.so"
modparam("nathelper", "rtpproxy_sock", "$sock")
route {
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); break; };
  if (method!="REGISTER") record_route();
  $3
  if (loose_route()) { t_relay(); break; };
  t_relay();
}
CFG
  [ -z "$4" ] || printf 'onreply_route[1] {\n  %s\n}\n' "$4" >> "$tmp/$1.cfg"
}
write_cfg plain $((base + 60)) '' ''
write_cfg nat $((base + 61)) 'if (method=="BYE") unforce_rtp_proxy(); if (method=="INVITE") force_rtp_proxy(); t_on_reply("1");' \
  'if (status=~"(183)|2[0-9][0-9]" && !search("^Content-Length:[ ]*0")) force_rtp_proxy();'

timeout -k 5 "$budget" "$build/rtpproxy/rtpproxy" -f -F -l 127.0.0.1 -s "unix:$tmp/rtpproxy.sock" -s "udp:127.0.0.1:$((base + 90))" \
  -m 30000 -M 39999 -d ERR -p "$tmp/rtpproxy.pid" > "$tmp/rtpproxy.log" 2>&1 &
roots+=("$!"); rtpp_root=$!
declare -A ROOT PORT
for name in plain nat; do
  timeout -k 5 "$budget" "$build/runtime/ser" -f "$tmp/$name.cfg" --foreground --stderr > "$tmp/$name.log" 2>&1 &
  roots+=("$!"); ROOT[$name]=$!
  PORT[$name]=$(awk -F'[:=]' '/^listen/ {print $NF}' "$tmp/$name.cfg")
done
timeout -k 5 "$budget" sipp -nostdin -sf "$repo"/bench/sipp/uas_rr.xml -i 127.0.0.1 -p $uas -buff_size 4194304 \
  > "$tmp/uas.log" 2>&1 &
roots+=("$!")
for _ in $(seq 1 100); do
  [ -S "$tmp/rtpproxy.sock" ] && ss -Huln "sport = :${PORT[plain]}" | grep -q . &&
    ss -Huln "sport = :${PORT[nat]}" | grep -q . && ss -Huln "sport = :$uas" | grep -q . && break
  sleep 0.1
done
for name in plain nat; do
  ss -Huln "sport = :${PORT[$name]}" | grep -q . || { echo "ser ($name) did not start:" >&2; tail -20 "$tmp/$name.log" >&2; exit 1; }
done
[ -S "$tmp/rtpproxy.sock" ] || { echo "rtpproxy did not start:" >&2; tail -20 "$tmp/rtpproxy.log" >&2; exit 1; }

run_calls() {   # name calls rate -> "ok ser_ticks rtpp_ticks"
  local name=$1 n=$2 r=$3 t0 p0
  t0=$(tree_ticks "${ROOT[$name]}"); p0=$(tree_ticks "$rtpp_root")
  rm -f "$tmp/stat.csv"
  timeout -k 5 $((n / r + 70)) sipp -nostdin -sf "$repo"/bench/sipp/uac_rr.xml -key callee 127.0.0.1:$uas \
    127.0.0.1:${PORT[$name]} -i 127.0.0.1 -p $uac -buff_size 4194304 -m "$n" -r "$r" -l $((r * 4)) \
    -timeout "$((n / r + 60))s" -recv_timeout 10000 -default_behaviors all,-abortunexp \
    -trace_stat -stf "$tmp/stat.csv" > "$tmp/uac.log" 2>&1 || true
  echo "$(tail -1 "$tmp/stat.csv" 2>/dev/null | awk -F';' '{print $16 + 0}') \
$(( $(tree_ticks "${ROOT[$name]}") - t0 )) $(( $(tree_ticks "$rtpp_root") - p0 ))"
}
us() { awk -v t="$1" -v k="$tck" -v n="$2" 'BEGIN{printf "%.1f", t / k * 1e6 / n}'; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

echo "e2e_nathelper: control over $ctrl; $rounds rounds of $calls calls at $rate/s; machine: $(nproc) cores, load $(load)"
for name in plain nat; do run_calls "$name" 500 250 > /dev/null; done   # warm-up
declare -A list
rtpp_list=""
for round in $(seq 1 "$rounds"); do
  for name in plain nat; do
    read -r ok ticks pticks < <(run_calls "$name" "$calls" "$rate")
    list[$name]+="$(us "$ticks" "$calls") "
    line="$name round $round: $ok/$calls calls ok; ser $(us "$ticks" "$calls") us/call"
    if [ "$name" = nat ]; then line+="; rtpproxy $(us "$pticks" "$calls") us/call"; rtpp_list+="$(us "$pticks" "$calls") "; fi
    echo "$line; load $(load)"
    [ "$ok" = "$calls" ] || echo "  warning: failed calls; this round's CPU is not comparable"
  done
done
p=$(echo "${list[plain]}" | median); n=$(echo "${list[nat]}" | median)
echo "median ser CPU per call: without nathelper $p us, with force_rtp_proxy $n us:" \
  "ratio $(awk -v a="$n" -v b="$p" 'BEGIN{printf "%.2f", a / b}')x; rtpproxy $(echo "$rtpp_list" | median) us/call"
