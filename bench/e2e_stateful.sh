#!/usr/bin/env bash
# End to end, stateful: the same sipp call flow (INVITE/100/180/200/ACK/BYE/200,
# record-routed; ACK and BYE carry the route set and are loose-routed) through
# ser (tm + rr) and then through Kamailio 5.6 with the equivalent config
# (bench/kamailio/stateful.cfg), in one run, everything on 127.0.0.1, one
# sipp caller and one sipp callee (one peer address each). For each proxy:
#  (a) CPU per call at a fixed rate: utime+stime of the proxy's whole process
#      tree (/proc/PID/stat of every process under it) over the phase,
#      divided by the calls; sipp's own CPU is printed beside it; the same
#      for bench/relay_floor.cpp, which does the proxies' socket work on this
#      call flow (relays every datagram, answers 100 to the INVITE) and no
#      SIP work: the floor under any proxy's CPU per call;
#  (b) the highest rate of the steps that passes: zero failed calls (every
#      call not counted successful by sipp is a failure) and >= 90 % of the
#      step's rate achieved (successful calls / wall time of the sipp run);
#      the first step that fails ends the climb; the floor climbs too: what
#      it passes is the most that any proxy can pass on this machine;
#  (c) how the proxy's CPU splits over its threads (ser: /proc/PID/task/*;
#      Kamailio: its processes) during one single-peer run at a high rate;
# then the ratios ser/Kamailio, and the machine's bound on (b): the sipps
# share the proxy's cores, so the CPU per call of proxy + sipps at the
# highest passing step says where the cores are full, and the highest rate
# ratio to Kamailio that this machine can show at all (a proxy of no cost
# against Kamailio's proxy + sipps). Both sipps get 4 MB socket buffers
# (-buff_size; sipp's default 64 KB drops bursts of replies at 3000 calls/s).
# Every step also prints the kernel's UDP
# receive-buffer drops (RcvbufErrors of /proc/net/snmp, all sockets) and the
# drops counted on the proxy's own sockets (ss -m, skmem d), and the CPU of
# the sipp caller, so a limit can be told apart: proxy CPU, sipp, or the
# socket.
#
# Usage: bench/e2e_stateful.sh [builddir] [children] [calls at fixed rate] [fixed rate] [steps...]
#   defaults: build-release 2 10000 500 1000 2000 3000 4000 5000 6000 8000
# Environment: ROUNDS (of (a), 3), STEP_SECS (seconds of calls per step, 5;
# below 3 no step can pass the 90 % rule: a call lasts 0.1 s), SPLIT_RATE (rate of
# run (c), 3000), SPLIT_SECS (5), PORT_BASE (16000), BUDGET (hard bound in
# seconds on every process started here, 1800), KAM_MEM (Kamailio memory
# managers to run, one pass each: "tlsf" by default; "tlsf qm" adds the
# Debian default qm, which spends most of its CPU in qm_malloc here),
# KAM_SHM_MB (1024: 256 MB runs out of shared memory at a few thousand
# calls/s).
# Needs tools/setup-bench.sh (kamailio, sipp) and a build with rr.so.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
build=${1:-build-release}
children=${2:-2}
calls=${3:-10000}
rate=${4:-500}
shift $(( $# < 4 ? $# : 4 )) || true
steps=("$@")
[ ${#steps[@]} -eq 0 ] && steps=(1000 2000 3000 4000 5000 6000 8000)
step_secs=${STEP_SECS:-5}
split_rate=${SPLIT_RATE:-3000}
split_secs=${SPLIT_SECS:-5}
rounds=${ROUNDS:-3}
budget=${BUDGET:-1800}
read -r -a kam_mem <<< "${KAM_MEM:-tlsf}"
kam_shm=${KAM_SHM_MB:-1024}
base=${PORT_BASE:-16000}
ser_port=$((base + 60)); kam_port=$((base + 160)); uas=$((base + 70)); uac=$((base + 80)); floor_port=$((base + 90))

for f in "$build/runtime/ser" "$build/modules/tm/tm.so" "$build/modules/rr/rr.so" "$build/bench/relay_floor"; do
  [ -e "$f" ] || { echo "missing $f (build first: ninja -C $build)" >&2; exit 2; }
done
command -v sipp > /dev/null && command -v kamailio > /dev/null || { echo "run tools/setup-bench.sh first" >&2; exit 2; }
for p in $ser_port $kam_port $uas $uac $floor_port; do
  if ss -Huln "sport = :$p" | grep -q .; then echo "UDP port $p is in use; set PORT_BASE" >&2; exit 2; fi
done

build=$(cd "$build" && pwd)
tmp=$(mktemp -d /tmp/e2e_stateful.XXXXXX)
roots=()   # pids started here (each a `timeout` wrapper around one program)

source "$repo/bench/lib/proc.sh"
cleanup() {
  local r
  [ -f "$tmp/uac.root" ] && stop_tree "$(cat "$tmp/uac.root")"
  for r in "${roots[@]}"; do stop_tree "$r"; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM


cat > "$tmp/ser.cfg" <<CFG
listen=udp:127.0.0.1:$ser_port
children=$children
disable_tcp=yes
# Kamailio's default: no Warning header in local replies (the 100 Trying).
sip_warning=no
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
cd "$tmp"   # whatever sipp or a proxy writes to its working directory stays in the temp dir

declare -A P_ROOT P_PID P_PORT
# Starts one proxy: ser, or kamailio-<memory manager> (each Kamailio on its
# own port and config). Its pids and port are kept under its name.
start_proxy() {
  local name=$1 port log root i
  if [ "$name" = ser ]; then
    port=$ser_port
    timeout -k 5 "$budget" "$build/runtime/ser" -f "$tmp/ser.cfg" --foreground --stderr > "$tmp/ser.log" 2>&1 &
  elif [ "$name" = floor ]; then
    port=$floor_port
    timeout -k 5 "$budget" "$build/bench/relay_floor" "$port" "$uac" "$uas" "$children" > "$tmp/floor.log" 2>&1 &
  else
    local mem=${name#kamailio-}
    port=$((kam_port + 10 * ${#P_PORT[@]}))
    sed -e "s/CHILDREN/$children/" -e "s/PORT/$port/" "$repo/bench/kamailio/stateful.cfg" > "$tmp/$name.cfg"
    timeout -k 5 "$budget" kamailio -f "$tmp/$name.cfg" -DD -E -m "$kam_shm" -M 16 -x "$mem" -X "$mem" \
      -P "$tmp/$name.pid" -w "$tmp" > "$tmp/$name.log" 2>&1 &
  fi
  root=$!
  roots+=("$root")
  for i in $(seq 1 100); do   # up to 10 s until it listens
    ss -Huln "sport = :$port" | grep -q . && break
    kill -0 "$root" 2>/dev/null || break
    sleep 0.1
  done
  if ! ss -Huln "sport = :$port" | grep -q .; then
    echo "$name did not start:" >&2; tail -20 "$tmp/$name.log" >&2; exit 1
  fi
  P_ROOT[$name]=$root
  P_PORT[$name]=$port
  P_PID[$name]=$(cat /proc/$root/task/*/children | awk '{print $1}')
}
use_proxy() { proxy_root=${P_ROOT[$1]}; proxy_pid=${P_PID[$1]}; proxy_port=${P_PORT[$1]}; }
stop_proxy() {
  stop_tree "${P_ROOT[$1]}"
  local r keep=()
  for r in "${roots[@]}"; do [ "$r" = "${P_ROOT[$1]}" ] || keep+=("$r"); done
  roots=("${keep[@]}")
}

# One sipp caller run: calls rate -> "ok failed wall proxy_ticks sipp_cpu_s uas_ticks kernel_drops sock_drops late ctx"
# (late: messages that arrived after the scenario had passed them, e.g. a 180
# relayed after the 200: logged, the call goes on; -default_behaviors
# all,-abortunexp. A wrong answer still fails the call: -recv_timeout.)
run_calls() {
  local n=$1 r=$2
  local secs=$(( n / r + 60 ))
  local b_t b_c b_u b_k b_s s e
  times > "$tmp/times0"
  b_t=$(tree_ticks "$proxy_root"); b_u=$(ticks_of "$uas_pid")
  b_k=$(rcvbuf_errors); b_s=$(sock_drops "$proxy_port"); b_x=$(tree_ctx "$proxy_root")
  rm -f "$tmp/stat.csv" "$tmp/err.log"
  s=$(date +%s.%N)
  timeout -k 5 $((secs + 10)) sipp -nostdin -sf "$repo"/bench/sipp/uac_rr.xml -key callee 127.0.0.1:$uas \
    127.0.0.1:$proxy_port -i 127.0.0.1 -p $uac -buff_size 4194304 -m "$n" -r "$r" -l $((r * 4)) \
    -timeout "${secs}s" -recv_timeout 10000 -default_behaviors all,-abortunexp \
    -trace_stat -stf "$tmp/stat.csv" -trace_err -error_file "$tmp/err.log" > "$tmp/uac.log" 2>&1 &
  echo $! > "$tmp/uac.root"   # so that an interrupted run stops it too
  wait $! || true
  e=$(date +%s.%N)
  [ -d "$tmp" ] || exit 0     # interrupted: cleanup() has run
  rm -f "$tmp/uac.root"
  times > "$tmp/times1"
  local ok
  ok=$(tail -1 "$tmp/stat.csv" 2>/dev/null | awk -F';' '{print $16 + 0}')
  ok=${ok:-0}
  echo "$ok $((n - ok)) $(awk -v s="$s" -v e="$e" 'BEGIN{printf "%.3f", e - s}') \
$(( $(tree_ticks "$proxy_root") - b_t )) $(awk -v a="$(children_cpu "$tmp/times1")" -v b="$(children_cpu "$tmp/times0")" 'BEGIN{printf "%.3f", a - b}') \
$(( $(ticks_of "$uas_pid") - b_u )) $(( $(rcvbuf_errors) - b_k )) $(( $(sock_drops "$proxy_port") - b_s )) \
$(cat "$tmp/err.log" 2>/dev/null | grep -c 'Continuing call on unexpected message' || true) \
$(( $(tree_ctx "$proxy_root") - b_x ))"
}

# Per-thread (ser) or per-process (Kamailio) ticks: "id name ticks" lines.
units() {
  local t
  if [ "$1" = ser ]; then
    # A thread's role from where it waits when idle (the snapshot before a
    # run): epoll_wait = UDP worker, futex = a timer thread, main = signals.
    local role
    for t in /proc/$proxy_pid/task/*; do
      case "${t##*/}:$(cut -d' ' -f1 "$t/syscall" 2>/dev/null)" in
        "$proxy_pid":*) role=main ;;
        *:232) role=udp-worker ;;
        *:202) role=timer/futex ;;
        *) role=$(tr -d ' ' < "$t/comm") ;;
      esac
      echo "${t##*/} $role $(ticks_of "$proxy_pid/task/${t##*/}")"
    done
  else
    for t in $proxy_pid $(descendants "$proxy_pid"); do echo "$t $(tr -d ' ' < /proc/$t/comm) $(ticks_of "$t")"; done
  fi
}
pct() { awk -v t="$1" -v k="$tck" -v w="$2" 'BEGIN{printf "%.0f", t / k / w * 100}'; }   # ticks wall -> % of a core

timeout -k 5 "$budget" sipp -nostdin -sf "$repo"/bench/sipp/uas_rr.xml -i 127.0.0.1 -p $uas \
  -buff_size 4194304 > "$tmp/uas.log" 2>&1 &
roots+=("$!")
uas_root=$!
sleep 0.5
uas_pid=$(cat /proc/$uas_root/task/*/children | awk '{print $1}')

proxies=(ser)
for m in "${kam_mem[@]}"; do proxies+=("kamailio-$m"); done
# The floor (bench/relay_floor.cpp) takes part in (a) only: it is no proxy.
measured=("${proxies[@]}" floor)
echo "e2e_stateful: ${proxies[*]}; $children UDP workers each; (a) $rounds rounds of $calls calls at $rate/s;" \
  "(b) steps ${steps[*]} (${step_secs}s each); (c) $split_rate/s for ${split_secs}s"
echo "machine: $(nproc) cores, load $(load) at start; kamailio $(kamailio -v | awk '/^version/ {print $3}')" \
  "-m $kam_shm, sipp $(sipp -v 2>&1 | grep -o 'v[0-9][0-9.]*' | head -1)"
for proxy in "${measured[@]}"; do start_proxy "$proxy"; done
for proxy in "${measured[@]}"; do use_proxy "$proxy"; run_calls 1000 500 > /dev/null; done   # warm-up

# (a) CPU per call at the fixed rate: the proxies take turns (the others idle),
# round after round, so a change in the machine's load hits all of them.
declare -A cpu_list max_rate proxy_us sipp_us
for round in $(seq 1 "$rounds"); do
  for proxy in "${measured[@]}"; do
    use_proxy "$proxy"
    read -r ok failed wall ticks scpu uticks kdrop sdrop late ctx < <(run_calls "$calls" "$rate")
    us=$(awk -v t="$ticks" -v k="$tck" -v n="$calls" 'BEGIN{printf "%.1f", t / k * 1e6 / n}')
    cpu_list[$proxy]+="$us "
    echo "$proxy (a) round $round: $calls calls at $rate/s: $ok ok, $failed failed, wall ${wall}s; proxy CPU $us us/call;" \
      "sipp caller $(awk -v c="$scpu" -v n="$calls" 'BEGIN{printf "%.1f", c * 1e6 / n}') us/call," \
      "callee $(awk -v t="$uticks" -v k="$tck" -v n="$calls" 'BEGIN{printf "%.1f", t / k * 1e6 / n}') us/call;" \
      "proxy context switches $(awk -v c="$ctx" -v n="$calls" 'BEGIN{printf "%.1f", c / n}')/call; late $late; load $(load)"
    [ "$failed" = 0 ] || echo "  warning: failures at the fixed rate; this CPU figure is not comparable"
  done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# (b) and (c) for each proxy; (b) for the floor as well, last: the highest
# rate this machine passes with no SIP work at all, so no proxy can show
# more here.
for proxy in "${measured[@]}"; do
  use_proxy "$proxy"
  if [ "$proxy" != floor ]; then
    # (c) one caller peer (one address:port) at a high rate: the split.
    units "$proxy" > "$tmp/u0"
    read -r ok failed wall ticks scpu uticks kdrop sdrop late ctx < <(run_calls $((split_rate * split_secs)) "$split_rate")
    units "$proxy" > "$tmp/u1"
    echo "$proxy (c): one caller peer, $((split_rate * split_secs)) calls at $split_rate/s: $ok ok, $failed failed," \
      "wall ${wall}s; sipp caller $(awk -v c="$scpu" -v w="$wall" 'BEGIN{printf "%.0f", c / w * 100}')%," \
      "callee $(pct "$uticks" "$wall")% of a core; RcvbufErrors +$kdrop (proxy sockets +$sdrop); load $(load);" \
      "proxy CPU by $([ "$proxy" = ser ] && echo thread || echo process), % of one core:"
    awk -v w="$wall" -v k="$tck" 'NR == FNR { b[$1] = $3; r[$1] = $2; next } {
        d = $3 - b[$1]; tot += d; if (d > 0) printf "    %-8s %-16s %6.1f%%\n", $1, r[$1], d / k / w * 100 }
      END { printf "    total    %-16s %6.1f%%\n", "", tot / k / w * 100 }' "$tmp/u0" "$tmp/u1"
    sleep 1
  fi

  # (b) the climb; each step also names the busiest thread (ser) / process.
  max_rate[$proxy]=0
  for r in "${steps[@]}"; do
    n=$((r * step_secs))
    units "$proxy" > "$tmp/u0"
    read -r ok failed wall ticks scpu uticks kdrop sdrop late ctx < <(run_calls "$n" "$r")
    units "$proxy" > "$tmp/u1"
    busiest=$(awk -v w="$wall" -v k="$tck" 'NR == FNR { b[$1] = $3; r[$1] = $2; next } {
        d = $3 - b[$1]; if (d > m) { m = d; n = r[$1] } } END { printf "%s %.0f%%", n, m / k / w * 100 }' "$tmp/u0" "$tmp/u1")
    achieved=$(awk -v n="$ok" -v w="$wall" 'BEGIN{printf "%d", n / w}')
    pass=$(awk -v f="$failed" -v a="$achieved" -v r="$r" 'BEGIN{print (f == 0 && a >= 0.9 * r) ? "pass" : "FAIL"}')
    echo "$proxy (b) step $r/s: $ok ok, $failed failed, $achieved/s achieved, $pass; proxy $(pct "$ticks" "$wall")%" \
      "(busiest: $busiest), sipp caller $(awk -v c="$scpu" -v w="$wall" 'BEGIN{printf "%.0f", c / w * 100}')%," \
      "callee $(pct "$uticks" "$wall")% of a core; RcvbufErrors +$kdrop (proxy sockets +$sdrop); late $late; load $(load)"
    if [ "$pass" = pass ]; then
      max_rate[$proxy]=$r
      # CPU per call of the proxy and of both sipps at this step (the capacity bound below).
      proxy_us[$proxy]=$(awk -v t="$ticks" -v k="$tck" -v n="$ok" 'BEGIN{printf "%.1f", t / k * 1e6 / n}')
      sipp_us[$proxy]=$(awk -v c="$scpu" -v t="$uticks" -v k="$tck" -v n="$ok" 'BEGIN{printf "%.1f", (c + t / k) * 1e6 / n}')
    else
      break
    fi
    sleep 1
  done
  echo "$proxy (b): highest zero-failure rate ${max_rate[$proxy]}/s"
  stop_proxy "$proxy"
done
sm=$(echo "${cpu_list[ser]}" | median)
for proxy in "${proxies[@]:1}"; do
  km=$(echo "${cpu_list[$proxy]}" | median)
  awk -v k="$proxy" -v sl="${cpu_list[ser]}" -v kl="${cpu_list[$proxy]}" -v sc="$sm" -v kc="$km" \
      -v sr="${max_rate[ser]}" -v kr="${max_rate[$proxy]}" 'BEGIN{
    printf "ratio ser/%s: CPU per call (median of rounds: ser %s; %s %s) %.1f/%.1f us = %.2fx;", k, sl, k, kl, sc, kc, (kc ? sc / kc : 0)
    printf " highest zero-failure rate %d/%d = %.2fx\n", sr, kr, (kr ? sr / kr : 0) }'
  awk -v k="$proxy" -v fr="${max_rate[floor]}" -v kr="${max_rate[$proxy]}" 'BEGIN{
    printf "floor: highest zero-failure rate %d/%d = %.2fx %s: the most any proxy can show on this machine\n", fr, kr, (kr ? fr / kr : 0), k }'
  awk -v k="$proxy" -v fl="${cpu_list[floor]}" -v fc="$(echo "${cpu_list[floor]}" | median)" -v sc="$sm" -v kc="$km" 'BEGIN{
    printf "floor (the same sends and receives, no SIP work; median of rounds: %s) %.1f us = %.2fx %s;", fl, fc, (kc ? fc / kc : 0), k
    printf " above the floor: ser %.1f us, %s %.1f us = %.2fx\n", sc - fc, k, kc - fc, (kc > fc ? (sc - fc) / (kc - fc) : 0) }'
done
# The machine's own bound on (b): the sipps run on the same cores as the
# proxy, so no proxy passes a rate at which proxy + sipps need more CPU than
# the machine has. At each proxy's highest passing step: the calls/s at which
# its cores would be full, and what even a proxy that cost nothing could
# reach (the sipps alone): the highest rate ratio this machine can show.
cores=$(nproc)
for proxy in "${proxies[@]}"; do
  [ -n "${proxy_us[$proxy]:-}" ] || continue
  awk -v k="$proxy" -v p="${proxy_us[$proxy]}" -v s="${sipp_us[$proxy]}" -v c="$cores" 'BEGIN{
    printf "capacity %s: at its highest passing step %.1f us/call, the two sipps %.1f us/call: %d cores are full at about %d calls/s;", k, p, s, c, c * 1e6 / (p + s)
    printf " a proxy of no cost at all: about %d calls/s (the sipps alone)\n", c * 1e6 / s }'
done
for proxy in "${proxies[@]:1}"; do
  [ -n "${proxy_us[$proxy]:-}" ] && [ -n "${sipp_us[ser]:-}" ] || continue
  awk -v k="$proxy" -v p="${proxy_us[$proxy]}" -v s="${sipp_us[$proxy]}" -v ss="${sipp_us[ser]}" 'BEGIN{
    printf "capacity bound: on this machine the zero-failure rate of any proxy is at most %.2fx that of %s\n", (p + s) / ss, k }'
done
echo "machine load at the end: $(load)"
