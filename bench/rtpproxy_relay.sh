#!/usr/bin/env bash
# Media relay throughput: our rtpproxy against a bare recvmmsg/sendmmsg UDP
# echo loop (what one hop through user space costs at least on this
# machine) and against rtpengine 10.5 in user space (rtpproxy protocol over
# UDP), in one run, all on 127.0.0.1, for 100 and 1000 concurrent streams of
# 20 ms G.711 (172-byte packets). bench/rtp_relay_load.cpp is the phones:
#  (a) realtime: every phone sends a packet every 20 ms (100 streams =
#      10,000 packets/s through the middle, 1000 = 100,000/s): the middle's
#      CPU (% of one core: utime+stime of all its threads) and the loss;
#  (b) flood: each phone keeps a few packets circulating (answered as they
#      arrive): packets per second relayed per CPU second of the middle
#      ("per core"), the figure to compare; the absolute rate depends on the
#      phones, which share the machine's two cores with the middle.
# Then the ratios of (b) (ours / echo, ours / rtpengine) and of (a)'s CPU.
#
# Every middle runs during the whole round-robin of one stream count; the
# phases alternate between them ROUNDS times and the median is reported, so
# that other load on the machine hits all three alike.
#
# Usage: bench/rtpproxy_relay.sh [builddir] [seconds per phase]
#   defaults: build-release 5
# Environment: STREAMS ("100 1000"), ROUNDS (3), PORT_BASE (20000: control
# ports there, the echo from +100, our media from +2200, rtpengine's from
# +6600; all below the ephemeral range the phones bind in), BUDGET (hard
# bound in seconds on every process started here, 1200).
# Needs a build with -Dbenchmarks=true (bench/rtp_relay_load) and
# rtpengine-daemon (tools/setup-bench.sh); without rtpengine its rows are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
build=${1:-build-release}
secs=${2:-5}
read -r -a stream_counts <<< "${STREAMS:-100 1000}"
rounds=${ROUNDS:-3}
base=${PORT_BASE:-20000}
budget=${BUDGET:-1200}
ctl_ours=$((base + 10)); ctl_rtpe=$((base + 11))
echo_port=$((base + 100))                      # up to 2 x streams sockets
ours_min=$((base + 2200)); ours_max=$((base + 6500))
rtpe_min=$((base + 6600)); rtpe_max=$((base + 10900))

for f in "$build/rtpproxy/rtpproxy" "$build/bench/rtp_relay_load"; do
  [ -x "$f" ] || { echo "missing $f (meson setup $build -Dbuildtype=release -Dbenchmarks=true; ninja -C $build rtpproxy/rtpproxy bench/rtp_relay_load)" >&2; exit 2; }
done
build=$(cd "$build" && pwd)
rtpengine=$(command -v rtpengine || true)
if [ $((rtpe_max)) -ge 32768 ]; then echo "PORT_BASE too high: media must stay below 32768" >&2; exit 2; fi
for p in $ctl_ours $ctl_rtpe $echo_port $ours_min $rtpe_min; do
  if ss -Huln "sport = :$p" | grep -q .; then echo "UDP port $p is in use; set PORT_BASE" >&2; exit 2; fi
done

tmp=$(mktemp -d /tmp/rtpproxy_relay.XXXXXX)
roots=()
source "$repo/bench/lib/proc.sh"
cleanup() {
  local r
  for r in "${roots[@]}"; do if [ -n "$r" ]; then stop_tree "$r"; fi; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Starts "$@" under a `timeout` wrapper; sets $root and $pid (the program itself).
start() {
  local log=$1; shift
  timeout -s KILL "$budget" "$@" > "$log" 2>&1 &
  root=$!
  roots+=("$root")
  pid=""
  for _ in $(seq 1 50); do
    pid=$(cat /proc/$root/task/*/children 2>/dev/null | awk '{print $1; exit}')
    [ -n "$pid" ] && break
    sleep 0.05
  done
  [ -n "$pid" ] || { echo "could not start $*" >&2; cat "$log" >&2; exit 1; }
}
wait_for() {   # file text
  for _ in $(seq 1 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "timed out waiting for '$2' in $1:" >&2; cat "$1" >&2; exit 1
}

results="$tmp/results"
: > "$results"
echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(load); $secs s per phase, $rounds rounds, median reported"
for n in "${stream_counts[@]}"; do
  middles=()
  start "$tmp/echo.log" "$build/bench/rtp_relay_load" echo "$echo_port" $((2 * n))
  wait_for "$tmp/echo.log" "echo ready"
  declare -A mpid mroot mmode mtarget
  mpid[echo]=$pid; mroot[echo]=$root; mmode[echo]=echo; mtarget[echo]=127.0.0.1:$echo_port; middles+=(echo)

  start "$tmp/rtpproxy.log" "$build/rtpproxy/rtpproxy" -f -F -l 127.0.0.1 -s "udp:127.0.0.1:$ctl_ours" \
    -m "$ours_min" -M "$ours_max" -d INFO
  wait_for "$tmp/rtpproxy.log" "rtpproxy started"
  mpid[rtpproxy]=$pid; mroot[rtpproxy]=$root; mmode[rtpproxy]=relay; mtarget[rtpproxy]=127.0.0.1:$ctl_ours; middles+=(rtpproxy)

  if [ -n "$rtpengine" ]; then
    # Never Q (rtpengine 10.5 hangs on a later D); U/L carry "ft;1"; D frees at once.
    start "$tmp/rtpengine.log" "$rtpengine" --table=-1 --config-file=none --interface=127.0.0.1 \
      --listen-udp="127.0.0.1:$ctl_rtpe" --foreground --log-stderr -L 6 --delete-delay=0 \
      --port-min="$rtpe_min" --port-max="$rtpe_max"
    wait_for "$tmp/rtpengine.log" "Startup complete"
    mpid[rtpengine]=$pid; mroot[rtpengine]=$root; mmode[rtpengine]=relay; mtarget[rtpengine]=127.0.0.1:$ctl_rtpe
    middles+=(rtpengine)
  else
    echo "rtpengine not installed: its rows skipped (tools/setup-bench.sh)"
  fi

  inflight=$(( 400 / n )); [ "$inflight" -lt 1 ] && inflight=1
  for r in $(seq 1 "$rounds"); do
    for pace in realtime flood; do
      for m in "${middles[@]}"; do
        line=$(timeout "$budget" "$build/bench/rtp_relay_load" load "${mmode[$m]}" "${mtarget[$m]}" "$n" "$pace" \
                 "$inflight" "$secs" "${mpid[$m]}")
        echo "$m round=$r $line" | tee -a "$results"
      done
    done
  done
  for m in "${middles[@]}"; do stop_tree "${mroot[$m]}"; done
  roots=()
done

echo
echo "# medians. realtime: packets/s relayed per CPU second of the middle at the real 20 ms pace"
echo "# (the figure asked for), % of one core, loss; flood: the same per CPU second, and the rate reached"
awk '
  function median(list,   a, k, t, i, j) {
    k = split(list, a, " ")
    for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return k ? a[int((k + 1) / 2)] : ""
  }
  function ratio(a, b) { return (b > 0) ? sprintf("%.2f", a / b) : "-" }
  { name = $1; delete v; for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    sub(/%/, "", v["middle_core"]); sub(/%/, "", v["loss"])
    s = v["streams"]; if (!(s in seen)) { seen[s] = 1; order[++n] = s }
    key = s SUBSEP name SUBSEP v["pace"]
    ppc[key] = ppc[key] " " v["pps_per_core"]; pps[key] = pps[key] " " v["pps"]
    core[key] = core[key] " " v["middle_core"]; loss[key] = loss[key] " " v["loss"]; have[s, name] = 1 }
  END {
    for (k = 1; k <= n; k++) {
      s = order[k]
      for (m = 1; m <= 3; m++) {
        name = (m == 1) ? "rtpproxy" : (m == 2) ? "echo" : "rtpengine"
        if (!((s, name) in have)) continue
        rt = s SUBSEP name SUBSEP "realtime"; fl = s SUBSEP name SUBSEP "flood"
        R[name] = median(ppc[rt]); F[name] = median(ppc[fl])
        printf "streams %-5s %-9s realtime: %7d pkt/s per core (%5.1f%% of a core at %6d pkt/s, loss %s%%)   flood: %7d per core (%7d pkt/s)\n",
          s, name, R[name], median(core[rt]), median(pps[rt]), median(loss[rt]), F[name], median(pps[fl])
      }
      printf "streams %-5s ratios per core, realtime / flood: rtpproxy/echo %s / %s", s, ratio(R["rtpproxy"], R["echo"]), ratio(F["rtpproxy"], F["echo"])
      if ((s, "rtpengine") in have)
        printf ", rtpproxy/rtpengine %s / %s", ratio(R["rtpproxy"], R["rtpengine"]), ratio(F["rtpproxy"], F["rtpengine"])
      printf "\n"
      delete R; delete F
    }
  }' "$results"
