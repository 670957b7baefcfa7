#!/usr/bin/env bash
# End to end, stateful: the same sipp call flow (INVITE/100/180/200/ACK/BYE/200,
# record-routed) through ser (tm + rr) and through Kamailio 5.6 with the
# equivalent config, in one run, on 127.0.0.1. For each proxy:
#  (a) CPU per call at a fixed rate (utime+stime of the whole process tree),
#  (b) the highest rate of the steps with zero failed calls and >= 90 % of
#      the rate achieved,
# then the ratios ser/Kamailio, and (c) how ser's CPU splits over its
# threads while one sipp peer sends everything.
# Usage: bench/e2e_stateful.sh [builddir] [children] [calls at fixed rate] [fixed rate] [steps...]
# Needs tools/setup-bench.sh (kamailio, sipp). Kamailio runs with its TLSF
# allocator (-x tlsf): with the Debian default (qm) it spends most of its CPU
# in qm_malloc and uses about 3x the CPU per call.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-release}
children=${2:-2}
calls=${3:-10000}
rate=${4:-500}
shift $(( $# < 4 ? $# : 4 )) || true
steps=("$@")
[ ${#steps[@]} -eq 0 ] && steps=(1000 2000 3000 4000 6000)
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  pkill -f "$tmp/" 2>/dev/null || true
  sleep 1
  pkill -9 -f "$tmp/" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
tck=$(getconf CLK_TCK)
ser_port=16060; kam_port=16160; uas=16070; uac=16080

cat > "$tmp/ser.cfg" <<CFG
listen=udp:127.0.0.1:$ser_port
children=$children
disable_tcp=yes
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "rr.so"
loadmodule "maxfwd.so"
route {
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); break; };
  if (method!="REGISTER") record_route();
  if (loose_route()) { t_relay(); break; };
  t_relay();
}
CFG
sed -e "s/CHILDREN/$children/" -e "s/PORT/$kam_port/" bench/kamailio/stateful.cfg > "$tmp/kam.cfg"

# CPU ticks of every process whose command line names the config.
tree_ticks() { local t=0; for p in $(pgrep -f "$1"); do t=$((t + $(awk '{print $14 + $15}' /proc/$p/stat 2>/dev/null || echo 0))); done; echo $t; }

start_proxy() {   # name -> sets proxy_pat
  if [ "$1" = ser ]; then
    "$build/runtime/ser" -f "$tmp/ser.cfg" -M "$build/modules" --foreground --stderr > "$tmp/ser.log" 2>&1 &
    pids+=($!); proxy_pat="$tmp/ser.cfg"; proxy_port=$ser_port
  else
    kamailio -f "$tmp/kam.cfg" -DD -E -m 256 -M 8 -x tlsf -P "$tmp/kam.pid" -w "$tmp" > "$tmp/kam.log" 2>&1 &
    pids+=($!); proxy_pat="$tmp/kam.cfg"; proxy_port=$kam_port
  fi
  sleep 1.5
}
stop_proxy() {
  pkill -f "$proxy_pat" 2>/dev/null || true
  for _ in 1 2 3 4 5; do pgrep -f "$proxy_pat" > /dev/null || return 0; sleep 1; done
  pkill -9 -f "$proxy_pat" 2>/dev/null || true
}

# One sipp run: calls rate -> "ok failed wall ticks"
run_calls() {
  local n=$1 r=$2
  local before; before=$(tree_ticks "$proxy_pat")
  local s; s=$(date +%s.%N)
  # A call without an answer fails after 10 s (-recv_timeout) instead of
  # keeping sipp waiting; the whole run is bounded by timeout(1) as well.
  timeout 180 sipp -nostdin 127.0.0.1:$uas -sn uac -rsa 127.0.0.1:$proxy_port -i 127.0.0.1 -p $uac \
    -m "$n" -r "$r" -l $((r * 4)) -recv_timeout 10000 -timeout 150s > "$tmp/uac.log" 2>&1 || true
  local e; e=$(date +%s.%N)
  local after; after=$(tree_ticks "$proxy_pat")
  local ok failed
  ok=$(grep -E 'Successful call' "$tmp/uac.log" | tail -1 | awk -F'|' '{gsub(/ /,"",$3); print $3}')
  failed=$(grep -E 'Failed call' "$tmp/uac.log" | tail -1 | awk -F'|' '{gsub(/ /,"",$3); print $3}')
  echo "${ok:-0} ${failed:-$n} $(awk -v s="$s" -v e="$e" 'BEGIN{print e - s}') $((after - before))"
}

sipp -nostdin -sn uas -i 127.0.0.1 -p $uas > "$tmp/uas.log" 2>&1 &
pids+=($!)
declare -A cpu_us max_rate
for proxy in ser kamailio; do
  start_proxy $proxy
  run_calls 1000 500 > /dev/null   # warm-up
  read ok failed wall ticks < <(run_calls "$calls" "$rate")
  cpu_us[$proxy]=$(awk -v t="$ticks" -v k="$tck" -v n="$calls" 'BEGIN{printf "%.1f", t / k * 1e6 / n}')
  echo "$proxy: $calls calls at $rate/s: $ok ok, $failed failed; CPU ${cpu_us[$proxy]} us per call"
  max_rate[$proxy]=0
  for r in "${steps[@]}"; do
    n=$((r * 4))   # four seconds of calls per step
    read ok failed wall ticks < <(run_calls "$n" "$r")
    achieved=$(awk -v n="$ok" -v w="$wall" 'BEGIN{printf "%d", n / w}')
    pass=$(awk -v f="$failed" -v a="$achieved" -v r="$r" 'BEGIN{print (f == 0 && a >= 0.9 * r) ? "pass" : "fail"}')
    echo "  step $r/s: $ok ok, $failed failed, ${achieved}/s achieved over the whole run, $pass"
    if [ "$proxy" = ser ] && [ "$r" = "${steps[-1]}" ]; then
      pid=$(pgrep -f "$proxy_pat" | head -1)
      echo "  ser threads after the last step (ticks): $(for t in /proc/$pid/task/*; do echo -n "$(awk '{print $14 + $15}' $t/stat) "; done)"
    fi
    [ "$pass" = pass ] && max_rate[$proxy]=$r || break
  done
  stop_proxy
done
awk -v sc="${cpu_us[ser]}" -v kc="${cpu_us[kamailio]}" -v sr="${max_rate[ser]}" -v kr="${max_rate[kamailio]}" 'BEGIN{
  printf "ratio ser/kamailio: CPU per call %.2fx, highest zero-failure rate %s/%s = %.2fx\n", sc / kc, sr, kr, (kr ? sr / kr : 0) }'
echo "machine load: $(cut -d' ' -f1-3 /proc/loadavg)"
