#!/usr/bin/env bash
# What each usrloc db_mode costs: sipp REGISTERs (no authentication, so only
# registrar + usrloc differ) at a fixed rate through ser with db_mode 0, 1,
# 2 and 3 in turn, on one private MariaDB server started here (its own
# datadir, socket and port; one database per mode). Each run refreshes
# every one of USERS bindings once (they all exist from a warm-up run), so
# a write-back (mode 2) contact is changed once per timer interval, as with
# phones refreshing every few minutes. Per mode:
#   ser CPU per REGISTER (utime+stime of ser's process tree over the run and
#   until the writes it caused are done: one timer interval and the
#   write-back flush; the window starts after the warm-up's writes ended),
#   MariaDB CPU per REGISTER, and SQL statements per REGISTER (the server's
#   Com_select/insert/update/delete counters),
# the median over ROUNDS rounds (the modes alternate within a round), and the
# ratios against db_mode 0 measured in the same run.
#
# Usage: bench/registrar_db_modes.sh [builddir] [registrations per run] [rate/s]
#   defaults: build-release 20000 2000 (USERS = registrations per run)
# Environment: ROUNDS (3), TIMER (usrloc timer_interval, 5 s), CHILDREN (2),
# PORT_BASE (17400), KEEP (set: keep the temp dir), BUDGET (hard bound in
# seconds on every process started here, 1200).
# Needs sipp, mariadb-server (tools/setup.sh) and a build with mysql.so,
# usrloc.so and registrar.so.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
build=${1:-build-release}
calls=${2:-20000}
rate=${3:-2000}
users=$calls
rounds=${ROUNDS:-3}
timer=${TIMER:-5}
children=${CHILDREN:-2}
budget=${BUDGET:-1200}
base=${PORT_BASE:-17400}
ser_port=$((base + 60)); uac=$((base + 80)); db_port=$((base + 33))
modes=(0 1 2 3)

for f in "$build/runtime/ser" "$build/modules/mysql/mysql.so" "$build/modules/usrloc/usrloc.so" \
         "$build/modules/registrar/registrar.so"; do
  [ -e "$f" ] || { echo "missing $f (build first: ninja -C $build)" >&2; exit 2; }
done
for t in sipp mariadbd mariadb-install-db mariadb; do
  command -v $t > /dev/null || { echo "$t missing: run tools/setup.sh first" >&2; exit 2; }
done
for p in $ser_port $uac; do
  if ss -Huln "sport = :$p" | grep -q .; then echo "UDP port $p is in use; set PORT_BASE" >&2; exit 2; fi
done
if ss -Htln "sport = :$db_port" | grep -q .; then echo "TCP port $db_port is in use; set PORT_BASE" >&2; exit 2; fi

build=$(cd "$build" && pwd)
tmp=$(mktemp -d /tmp/registrar_db_modes.XXXXXX)
roots=()   # pids started here (each a `timeout` wrapper around one program)
ser_root=
source "$repo/bench/lib/proc.sh"
cleanup() {
  local r
  [ -f "$tmp/uac.root" ] && stop_tree "$(cat "$tmp/uac.root")"
  [ -n "$ser_root" ] && stop_tree "$ser_root"
  for r in "${roots[@]}"; do stop_tree "$r"; done
  if [ -n "${KEEP:-}" ]; then echo "kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cd "$tmp"

# ---- the database server, one database per mode
sql() { mariadb --no-defaults --socket="$tmp/db.sock" -uroot "$@"; }
mkdir "$tmp/dbtmp"   # private: parallel servers sharing /tmp collide while installing
mariadb-install-db --no-defaults --user=root --datadir="$tmp/db" --tmpdir="$tmp/dbtmp" \
  --auth-root-authentication-method=normal --skip-test-db > "$tmp/db.log" 2>&1
timeout -k 5 "$budget" mariadbd --no-defaults --user=root --datadir="$tmp/db" --socket="$tmp/db.sock" \
  --port=$db_port --bind-address=127.0.0.1 --log-error="$tmp/db.log" --pid-file="$tmp/db.pid" \
  --tmpdir="$tmp/dbtmp" --skip-log-bin --innodb-buffer-pool-size=128M > /dev/null 2>&1 &
roots+=("$!")
db_root=$!
for _ in $(seq 1 300); do sql -e "select 1" > /dev/null 2>&1 && break; sleep 0.1; done
sql -e "select 1" > /dev/null || { echo "mariadbd did not start:" >&2; tail -20 "$tmp/db.log" >&2; exit 1; }
db_pid=$(cat /proc/$db_root/task/*/children | awk '{print $1}')
for m in "${modes[@]}"; do
  MYSQL_UNIX_PORT="$tmp/db.sock" SIP_DOMAIN=example.com "$repo/tools/ser-db" create mysql "ser_m$m" > /dev/null
done
{ echo SEQUENTIAL; for i in $(seq 1 "$users"); do echo "u$i"; done; } > "$tmp/users.csv"

cat > "$tmp/register.xml" <<'XML'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="REGISTER without authentication (bench)">
  <send retrans="500">
    <![CDATA[

      REGISTER sip:example.com SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      Max-Forwards: 70
      From: <sip:[field0]@example.com>;tag=[pid]R[call_number]
      To: <sip:[field0]@example.com>
      Call-ID: [call_id]
      CSeq: 1 REGISTER
      Contact: <sip:[field0]@[local_ip]:[local_port]>
      Expires: 3600
      User-Agent: sipp-bench
      Content-Length: 0

    ]]>
  </send>
  <recv response="200">
  </recv>
</scenario>
XML

write_cfg() {   # mode
  cat > "$tmp/ser_m$1.cfg" <<CFG
listen=udp:127.0.0.1:$ser_port
children=$children
disable_tcp=yes
sip_warning=no
loadmodule "mysql.so"
loadmodule "sl.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
modparam("usrloc", "db_url", "mysql://ser:heslo@127.0.0.1:$db_port/ser_m$1")
modparam("usrloc", "db_mode", $1)
modparam("usrloc", "timer_interval", $timer)
route {
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); break; };
  if (method == "REGISTER") {
    if (!save("location")) { sl_reply_error(); };
    break;
  };
  sl_send_reply("404", "Not here");
}
CFG
}
start_ser() {   # mode
  write_cfg "$1"
  timeout -k 5 "$budget" "$build/runtime/ser" -f "$tmp/ser_m$1.cfg" -M "$build/modules" --foreground --stderr \
    > "$tmp/ser_m$1.log" 2>&1 &
  ser_root=$!
  for _ in $(seq 1 100); do
    ss -Huln "sport = :$ser_port" | grep -q . && return 0
    kill -0 "$ser_root" 2>/dev/null || break
    sleep 0.1
  done
  echo "ser (db_mode $1) did not start:" >&2; tail -20 "$tmp/ser_m$1.log" >&2; exit 1
}
stop_ser() { stop_tree "$ser_root"; ser_root=; }

# select insert update delete, summed over the server since it started
db_counts() {
  sql -N -e "show global status where Variable_name in ('Com_select','Com_insert','Com_update','Com_delete')" |
    awk '{v[$1] = $2} END {print v["Com_select"] + 0, v["Com_insert"] + 0, v["Com_update"] + 0, v["Com_delete"] + 0}'
}

# Waits for one timer run after the last REGISTER and then until the
# writes stop (a write-back flush of many rows takes seconds), at most 60 s.
writes() { db_counts | awk '{print $2 + $3}'; }
settle() {
  local prev cur
  sleep $((timer + 1))
  prev=$(writes)
  for _ in $(seq 1 60); do
    sleep 1
    cur=$(writes)
    [ "$cur" = "$prev" ] && return 0
    prev=$cur
  done
}

# n registrations at rate r: "ok failed retransmitted wall_s ser_ticks db_ticks select insert update delete"
run_regs() {
  local n=$1 r=$2 secs s e b_t b_d c0 c1 ok retr
  secs=$(( n / r + 60 ))
  b_t=$(tree_ticks "$ser_root"); b_d=$(ticks_of "$db_pid"); c0=$(db_counts)
  rm -f "$tmp/stat.csv"
  s=$(date +%s.%N)
  timeout -k 5 $((secs + 10)) sipp -nostdin -sf "$tmp/register.xml" -inf "$tmp/users.csv" \
    127.0.0.1:$ser_port -i 127.0.0.1 -p $uac -buff_size 4194304 -m "$n" -r "$r" -l $((r * 4)) \
    -timeout "${secs}s" -recv_timeout 10000 -trace_stat -stf "$tmp/stat.csv" > "$tmp/uac.log" 2>&1 &
  echo $! > "$tmp/uac.root"
  wait $! || true
  e=$(date +%s.%N)
  rm -f "$tmp/uac.root"
  settle
  c1=$(db_counts)
  ok=$(tail -1 "$tmp/stat.csv" 2>/dev/null | awk -F';' '{print $16 + 0}')
  ok=${ok:-0}
  retr=$(awk -F';' 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == "Retransmissions(C)") c = i}
                    END {print (c ? $c : 0) + 0}' "$tmp/stat.csv" 2>/dev/null || echo 0)
  echo "$ok $((n - ok)) $retr $(awk -v s="$s" -v e="$e" 'BEGIN{printf "%.3f", e - s}')" \
    "$(( $(tree_ticks "$ser_root") - b_t )) $(( $(ticks_of "$db_pid") - b_d ))" \
    "$(awk -v a="$c0" -v b="$c1" 'BEGIN{split(a, x); split(b, y); for (i = 1; i <= 4; i++) printf "%d ", y[i] - x[i]}')"
}
us_per() { awk -v t="$1" -v k="$tck" -v n="$2" 'BEGIN{printf "%.1f", t / k * 1e6 / n}'; }
per() { awk -v q="$1" -v n="$2" 'BEGIN{printf "%.3f", q / n}'; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

echo "registrar_db_modes: ser ($build), $children UDP workers, usrloc timer_interval ${timer}s, MariaDB" \
  "$(mariadbd --version | grep -o '[0-9]*\.[0-9]*\.[0-9]*-MariaDB' | head -1) on TCP 127.0.0.1;" \
  "$rounds rounds of $calls REGISTERs (each of $users bindings refreshed once) at $rate/s per mode"
echo "machine: $(nproc) cores, load $(load) at start; sipp $(sipp -v 2>&1 | grep -o 'v[0-9][0-9.]*' | head -1)"

declare -A ser_us db_us qry
for round in $(seq 1 "$rounds"); do
  for m in "${modes[@]}"; do
    start_ser "$m"
    run_regs "$users" 4000 > /dev/null   # warm-up: every binding exists (and is in the table)
    read -r ok failed retr wall ticks dticks qs qi qu qd < <(run_regs "$calls" "$rate")
    stop_ser
    q=$((qs + qi + qu + qd))
    ser_us[$m]+="$(us_per "$ticks" "$calls") "
    db_us[$m]+="$(us_per "$dticks" "$calls") "
    qry[$m]+="$(per "$q" "$calls") "
    echo "round $round db_mode $m: $ok ok, $failed failed, $retr retransmitted, wall ${wall}s; ser $(us_per "$ticks" "$calls") us/REGISTER," \
      "MariaDB $(us_per "$dticks" "$calls") us/REGISTER; SQL per REGISTER $(per "$q" "$calls")" \
      "(select $(per "$qs" "$calls"), insert $(per "$qi" "$calls"), update $(per "$qu" "$calls")," \
      "delete $(per "$qd" "$calls")); load $(load)"
    [ "$failed" = 0 ] || echo "  warning: failures at the fixed rate; this round's figures are not comparable"
    [ "$retr" = 0 ] || echo "  note: retransmitted REGISTERs were handled (and written) again; the median discounts such a round"
  done
done

s0=$(echo "${ser_us[0]}" | median); d0=$(echo "${db_us[0]}" | median)
echo "summary (median of $rounds rounds; ratios against db_mode 0 of this run):"
for m in "${modes[@]}"; do
  s=$(echo "${ser_us[$m]}" | median); d=$(echo "${db_us[$m]}" | median); q=$(echo "${qry[$m]}" | median)
  awk -v m="$m" -v s="$s" -v d="$d" -v q="$q" -v s0="$s0" -v d0="$d0" 'BEGIN{
    printf "  db_mode %d: ser %.1f us/REGISTER (%.2fx), ser+MariaDB %.1f us/REGISTER (%.2fx), %.2f SQL statements/REGISTER\n",
      m, s, (s0 ? s / s0 : 0), s + d, ((s0 + d0) ? (s + d) / (s0 + d0) : 0), q }'
done
echo "machine load at the end: $(load)"
