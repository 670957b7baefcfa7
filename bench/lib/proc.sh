# Shell functions shared by the end-to-end benchmarks (sourced): process
# trees started under `timeout` wrappers, their CPU, socket drops, load.
# They read /proc and ss; stop_tree stops a tree; nothing here starts one.

# Every process under a pid (children first listed by the kernel).
descendants() {
  local queue=("$@") p c
  while [ ${#queue[@]} -gt 0 ]; do
    p=${queue[0]}; queue=("${queue[@]:1}")
    for c in $(cat /proc/$p/task/*/children 2>/dev/null); do echo "$c"; queue+=("$c"); done
  done
}
alive() { [ -n "$(descendants "$@")" ] || kill -0 "$@" 2>/dev/null; }
stop_tree() {   # TERM to the wrapper (timeout passes it on), then KILL what lingers, by pid
  local root=$1 left
  kill -TERM "$root" 2>/dev/null || true
  for _ in $(seq 1 50); do alive "$root" || break; sleep 0.1; done
  left=$(descendants "$root")
  [ -n "$left" ] && kill -KILL $left 2>/dev/null || true
  kill -KILL "$root" 2>/dev/null || true
  wait "$root" 2>/dev/null || true
}
tck=$(getconf CLK_TCK)
ticks_of() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# utime+stime of a process tree (the wrapper itself included: it uses none).
tree_ticks() { local t=0 p; for p in "$1" $(descendants "$1"); do t=$((t + $(ticks_of "$p"))); done; echo $t; }
# Context switches (voluntary + not) of every thread of every process in a tree.
tree_ctx() {
  local p
  for p in "$1" $(descendants "$1"); do cat /proc/$p/task/*/status 2>/dev/null; done |
    awk '/ctxt_switches/ {s += $2} END {print s + 0}'
}
rcvbuf_errors() { awk '/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "RcvbufErrors") c = i; h = 1 } else print $c }' /proc/net/snmp; }
# Drops counted on the proxy's own UDP sockets (skmem d<N>).
sock_drops() { ss -Huamn "sport = :$1" | grep -o 'd[0-9]*)' | tr -d 'd)' | awk '{s += $1} END {print s + 0}'; }
# CPU seconds of this shell's waited-for children (`times`, run in the shell
# itself: a subshell would start from zero), from the file it was written to.
children_cpu() { tail -1 "$1" | awk '{ split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%.3f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
