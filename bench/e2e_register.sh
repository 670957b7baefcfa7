#!/usr/bin/env bash
# End to end, authenticated registration: sipp phones REGISTER (401 with a
# digest challenge, REGISTER with credentials, 200 listing the binding)
# through ser (mysql, auth, auth_db, usrloc db_mode 2, registrar) and then
# through Kamailio 5.6 with the equivalent config (bench/kamailio/register.cfg),
# in one run, both on one private MariaDB server started here (its own
# datadir, socket and port; ser's SER 0.9 database and Kamailio's own schema
# side by side, the same subscribers in both). Each sipp call is one
# registration of the next subscriber of USERS (u1..uN, cycled), so the
# subscriber rows and bindings are spread as with real phones.
# For each proxy:
#  (a) CPU per REGISTER round (401 + 200) at a fixed rate: utime+stime of
#      the proxy's process tree over the run divided by the rounds; the
#      MariaDB server's CPU per round beside it; the same for
#      bench/register_floor.cpp, which does a registrar's socket and
#      database work on this flow (401; one credentials query and 200) and
#      no SIP work: the floor under any registrar's CPU per round;
#  (b) the highest rate of the steps that passes: zero failed registrations
#      and >= 90 % of the step's rate achieved; the first failing step ends
#      the climb;
# then the ratios ser/Kamailio.
#
# Usage: bench/e2e_register.sh [builddir] [children] [rounds at fixed rate] [fixed rate] [steps...]
#   defaults: build-release 2 20000 2000 4000 6000 8000 10000 12000 14000 16000
# Environment: ROUNDS (of (a), 3), STEP_SECS (5), USERS (5000), PORT_BASE
# (17000), KEEP (set: leave the temp dir with logs and configs), BUDGET (hard bound in seconds on every process started here, 1800),
# KAM_SHM_MB (1024).
# Needs tools/setup-bench.sh (kamailio, kamailio-mysql-modules, sipp,
# mariadb-server) and a build with mysql.so, auth_db.so and registrar.so.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
build=${1:-build-release}
children=${2:-2}
calls=${3:-20000}
rate=${4:-2000}
shift $(( $# < 4 ? $# : 4 )) || true
steps=("$@")
[ ${#steps[@]} -eq 0 ] && steps=(4000 6000 8000 10000 12000 14000 16000)
step_secs=${STEP_SECS:-5}
rounds=${ROUNDS:-3}
users=${USERS:-5000}
budget=${BUDGET:-1800}
kam_shm=${KAM_SHM_MB:-1024}
base=${PORT_BASE:-17000}
ser_port=$((base + 60)); kam_port=$((base + 160)); uac=$((base + 80)); db_port=$((base + 33)); floor_port=$((base + 90))

for f in "$build/runtime/ser" "$build/modules/mysql/mysql.so" "$build/modules/auth_db/auth_db.so" \
         "$build/modules/registrar/registrar.so" "$build/bench/register_floor"; do
  [ -e "$f" ] || { echo "missing $f (build first: ninja -C $build)" >&2; exit 2; }
done
for t in sipp kamailio mariadbd mariadb-install-db mariadb; do
  command -v $t > /dev/null || { echo "$t missing: run tools/setup-bench.sh first" >&2; exit 2; }
done
[ -e /usr/lib/x86_64-linux-gnu/kamailio/modules/db_mysql.so ] || { echo "run tools/setup-bench.sh first" >&2; exit 2; }
for p in $ser_port $kam_port $uac $floor_port; do
  if ss -Huln "sport = :$p" | grep -q .; then echo "UDP port $p is in use; set PORT_BASE" >&2; exit 2; fi
done
if ss -Htln "sport = :$db_port" | grep -q .; then echo "TCP port $db_port is in use; set PORT_BASE" >&2; exit 2; fi

build=$(cd "$build" && pwd)
tmp=$(mktemp -d /tmp/e2e_register.XXXXXX)
roots=()   # pids started here (each a `timeout` wrapper around one program)
source "$repo/bench/lib/proc.sh"
cleanup() {
  local r
  [ -f "$tmp/uac.root" ] && stop_tree "$(cat "$tmp/uac.root")"
  for r in "${roots[@]}"; do stop_tree "$r"; done
  if [ -n "${KEEP:-}" ]; then echo "kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
tck=$(getconf CLK_TCK)
cd "$tmp"

# ---- the database server and both databases
sql() { mariadb --no-defaults --socket="$tmp/db.sock" -uroot "$@"; }
mkdir "$tmp/dbtmp"   # private: parallel servers sharing /tmp collide while installing
mariadb-install-db --no-defaults --user=root --datadir="$tmp/db" --tmpdir="$tmp/dbtmp" --auth-root-authentication-method=normal \
  --skip-test-db > "$tmp/db.log" 2>&1
timeout -k 5 "$budget" mariadbd --no-defaults --user=root --datadir="$tmp/db" --socket="$tmp/db.sock" \
  --port=$db_port --bind-address=127.0.0.1 --log-error="$tmp/db.log" --pid-file="$tmp/db.pid" --tmpdir="$tmp/dbtmp" --skip-log-bin \
  --innodb-buffer-pool-size=256M --max-connections=500 > /dev/null 2>&1 &
roots+=("$!")
db_root=$!
for _ in $(seq 1 300); do sql -e "select 1" > /dev/null 2>&1 && break; sleep 0.1; done
sql -e "select 1" > /dev/null || { echo "mariadbd did not start:" >&2; tail -20 "$tmp/db.log" >&2; exit 1; }
db_pid=$(cat /proc/$db_root/task/*/children | awk '{print $1}')

MYSQL_UNIX_PORT="$tmp/db.sock" SIP_DOMAIN=example.com "$repo/tools/ser-db" create mysql ser > /dev/null
sql -e "create database kamailio; create user 'kamailio'@'%' identified by 'kamailiorw';
        grant all on kamailio.* to 'kamailio'@'%';"
for s in standard auth_db usrloc; do sql kamailio < "/usr/share/kamailio/mysql/$s-create.sql"; done
# The same subscribers in both (password pw<i>, ha1 and ha1b precomputed;
# SER's table also has a unique phplib_id).
for db in ser kamailio; do
  extra_col=; extra_val=
  [ $db = ser ] && { extra_col="phplib_id, "; extra_val="md5(concat('u', seq, '@example.com')), "; }
  sql $db -e "insert into subscriber (${extra_col}username, domain, password, ha1, ha1b)
    select ${extra_val}concat('u', seq), 'example.com', concat('pw', seq),
           md5(concat('u', seq, ':example.com:pw', seq)), md5(concat('u', seq, '@example.com:example.com:pw', seq))
    from seq_1_to_$users;"
done
{ echo SEQUENTIAL; for i in $(seq 1 "$users"); do echo "u$i;pw$i"; done; } > "$tmp/users.csv"

cat > "$tmp/ser.cfg" <<CFG
listen=udp:127.0.0.1:$ser_port
children=$children
disable_tcp=yes
sip_warning=no
loadmodule "mysql.so"
loadmodule "sl.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "auth.so"
loadmodule "auth_db.so"
modparam("auth_db|usrloc", "db_url", "mysql://ser:heslo@127.0.0.1:$db_port/ser")
modparam("usrloc", "db_mode", 2)
route {
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); break; };
  if (method == "REGISTER") {
    if (!www_authorize("example.com", "subscriber")) { www_challenge("example.com", "0"); break; };
    if (!save("location")) { sl_reply_error(); };
    break;
  };
  sl_send_reply("404", "Not here");
}
CFG
sed -e "s/CHILDREN/$children/" -e "s/PORT/$kam_port/" \
    -e "s|DBURL|mysql://kamailio:kamailiorw@127.0.0.1:$db_port/kamailio|" \
    "$repo/bench/kamailio/register.cfg" > "$tmp/kamailio.cfg"

declare -A P_ROOT P_PORT
start_proxy() {
  local name=$1 port root
  if [ "$name" = ser ]; then
    port=$ser_port
    timeout -k 5 "$budget" "$build/runtime/ser" -f "$tmp/ser.cfg" -M "$build/modules" --foreground --stderr \
      > "$tmp/ser.log" 2>&1 &
  elif [ "$name" = floor ]; then
    port=$floor_port
    timeout -k 5 "$budget" "$build/bench/register_floor" "$port" 127.0.0.1 "$db_port" ser heslo ser "$children" \
      > "$tmp/floor.log" 2>&1 &
  else
    port=$kam_port
    timeout -k 5 "$budget" kamailio -f "$tmp/kamailio.cfg" -DD -E -m "$kam_shm" -M 16 -x tlsf -X tlsf \
      -P "$tmp/kamailio.pid" -w "$tmp" > "$tmp/kamailio.log" 2>&1 &
  fi
  root=$!
  roots+=("$root")
  for _ in $(seq 1 100); do
    ss -Huln "sport = :$port" | grep -q . && break
    kill -0 "$root" 2>/dev/null || break
    sleep 0.1
  done
  ss -Huln "sport = :$port" | grep -q . || { echo "$name did not start:" >&2; tail -20 "$tmp/$name.log" >&2; exit 1; }
  P_ROOT[$name]=$root
  P_PORT[$name]=$port
}
stop_proxy() {
  stop_tree "${P_ROOT[$1]}"
  local r keep=()
  for r in "${roots[@]}"; do [ "$r" = "${P_ROOT[$1]}" ] || keep+=("$r"); done
  roots=("${keep[@]}")
}

# One sipp run of n registrations at rate r against proxy $1:
# "ok failed wall proxy_ticks db_ticks sipp_cpu_s kernel_drops"
run_regs() {
  local name=$1 n=$2 r=$3 secs s e b_t b_d b_k ok
  secs=$(( n / r + 60 ))
  times > "$tmp/times0"
  b_t=$(tree_ticks "${P_ROOT[$name]}"); b_d=$(ticks_of "$db_pid"); b_k=$(rcvbuf_errors)
  rm -f "$tmp/stat.csv"
  s=$(date +%s.%N)
  timeout -k 5 $((secs + 10)) sipp -nostdin -sf "$repo/bench/sipp/reg_auth.xml" -inf "$tmp/users.csv" -au '[field0]' -ap '[field1]' \
    127.0.0.1:${P_PORT[$name]} -i 127.0.0.1 -p $uac -buff_size 4194304 -m "$n" -r "$r" -l $((r * 4)) \
    -timeout "${secs}s" -recv_timeout 10000 -trace_stat -stf "$tmp/stat.csv" > "$tmp/uac.log" 2>&1 &
  echo $! > "$tmp/uac.root"
  wait $! || true
  e=$(date +%s.%N)
  [ -d "$tmp" ] || exit 0
  rm -f "$tmp/uac.root"
  times > "$tmp/times1"
  ok=$(tail -1 "$tmp/stat.csv" 2>/dev/null | awk -F';' '{print $16 + 0}')
  ok=${ok:-0}
  echo "$ok $((n - ok)) $(awk -v s="$s" -v e="$e" 'BEGIN{printf "%.3f", e - s}')" \
    "$(( $(tree_ticks "${P_ROOT[$name]}") - b_t )) $(( $(ticks_of "$db_pid") - b_d ))" \
    "$(awk -v a="$(children_cpu "$tmp/times1")" -v b="$(children_cpu "$tmp/times0")" 'BEGIN{printf "%.3f", a - b}')" \
    "$(( $(rcvbuf_errors) - b_k ))"
}
us_per() { awk -v t="$1" -v k="$tck" -v n="$2" 'BEGIN{printf "%.1f", t / k * 1e6 / n}'; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

proxies=(ser kamailio)
measured=(ser kamailio floor)   # the floor (bench/register_floor.cpp) takes part in (a) only
echo "e2e_register: ser and kamailio, $children UDP workers each, $users subscribers on MariaDB" \
  "$(mariadbd --version | grep -o '[0-9]*\.[0-9]*\.[0-9]*-MariaDB' | head -1); (a) $rounds rounds of $calls registrations" \
  "at $rate/s; (b) steps ${steps[*]} (${step_secs}s each)"
echo "machine: $(nproc) cores, load $(load) at start; kamailio $(kamailio -v | awk '/^version/ {print $3}')," \
  "sipp $(sipp -v 2>&1 | grep -o 'v[0-9][0-9.]*' | head -1)"
for p in "${measured[@]}"; do start_proxy "$p"; run_regs "$p" "$users" 1000 > /dev/null; done   # warm-up: every binding exists

declare -A cpu_list max_rate
for round in $(seq 1 "$rounds"); do
  for p in "${measured[@]}"; do
    read -r ok failed wall ticks dticks scpu kdrop < <(run_regs "$p" "$calls" "$rate")
    us=$(us_per "$ticks" "$calls")
    cpu_list[$p]+="$us "
    echo "$p (a) round $round: $calls registrations at $rate/s: $ok ok, $failed failed, wall ${wall}s;" \
      "proxy CPU $us us/REGISTER round; MariaDB $(us_per "$dticks" "$calls") us; sipp" \
      "$(awk -v c="$scpu" -v n="$calls" 'BEGIN{printf "%.1f", c * 1e6 / n}') us; RcvbufErrors +$kdrop; load $(load)"
    [ "$failed" = 0 ] || echo "  warning: failures at the fixed rate; this CPU figure is not comparable"
  done
done
stop_proxy floor

for p in "${proxies[@]}"; do
  max_rate[$p]=0
  for r in "${steps[@]}"; do
    n=$((r * step_secs))
    read -r ok failed wall ticks dticks scpu kdrop < <(run_regs "$p" "$n" "$r")
    achieved=$(awk -v n="$ok" -v w="$wall" 'BEGIN{printf "%d", n / w}')
    pass=$(awk -v f="$failed" -v a="$achieved" -v r="$r" 'BEGIN{print (f == 0 && a >= 0.9 * r) ? "pass" : "FAIL"}')
    echo "$p (b) step $r/s: $ok ok, $failed failed, $achieved/s achieved, $pass;" \
      "proxy $(awk -v t="$ticks" -v k="$tck" -v w="$wall" 'BEGIN{printf "%.0f", t / k / w * 100}')%," \
      "MariaDB $(awk -v t="$dticks" -v k="$tck" -v w="$wall" 'BEGIN{printf "%.0f", t / k / w * 100}')%," \
      "sipp $(awk -v c="$scpu" -v w="$wall" 'BEGIN{printf "%.0f", c / w * 100}')% of a core; RcvbufErrors +$kdrop; load $(load)"
    if [ "$pass" = pass ]; then max_rate[$p]=$r; else break; fi
    sleep 1
  done
  echo "$p (b): highest zero-failure rate ${max_rate[$p]}/s"
done
for p in "${proxies[@]}"; do stop_proxy "$p"; done
echo "rows in location after the write-back at shutdown: ser $(sql ser -N -e 'select count(*) from location')," \
  "kamailio $(sql kamailio -N -e 'select count(*) from location') (of $users subscribers)"
sm=$(echo "${cpu_list[ser]}" | median); km=$(echo "${cpu_list[kamailio]}" | median)
awk -v sl="${cpu_list[ser]}" -v kl="${cpu_list[kamailio]}" -v sc="$sm" -v kc="$km" \
    -v sr="${max_rate[ser]}" -v kr="${max_rate[kamailio]}" 'BEGIN{
  printf "ratio ser/kamailio: CPU per REGISTER round (median of rounds: ser %s; kamailio %s) %.1f/%.1f us = %.2fx;", sl, kl, sc, kc, (kc ? sc / kc : 0)
  printf " highest zero-failure rate %d/%d = %.2fx\n", sr, kr, (kr ? sr / kr : 0) }'
awk -v fl="${cpu_list[floor]}" -v fc="$(echo "${cpu_list[floor]}" | median)" -v sc="$sm" -v kc="$km" 'BEGIN{
  printf "floor (the same sends, receives and credentials query, no SIP work; median of rounds: %s) %.1f us = %.2fx kamailio;", fl, fc, (kc ? fc / kc : 0)
  printf " above the floor: ser %.1f us, kamailio %.1f us = %.2fx\n", sc - fc, kc - fc, (kc > fc ? (sc - fc) / (kc - fc) : 0) }'
echo "machine load at the end: $(load)"
