#!/usr/bin/env bash
# A master slow to send a large event (issue 9 item 2, master faults), on a sandbox of
# its own. The master sends nothing, not even a heartbeat, while it reads an event into
# memory, and at a GTID start while it reads every event before the GTID: 0.45 s for a
# 128 MB row event on an idle MariaDB 10.11 here, more than the 1 s silence window of
# heartbeat_ms = 500 on a loaded CI machine, where a fixed window made every reconnect
# time out at the same event for ever (CI run of 2026-12-02, big_data).
#
# Here the master gets 5% of one CPU (a CPU cgroup, from before the daemon starts until
# the replicas converge) and its binlog holds a 64 MB row,
# inserted and then updated (a 128 MB event); the daemon starts at the GTID before them,
# with heartbeat_ms = 500 (a 1 s window). Checks: the stream widens its silence window
# (the log says so: the slowness was really met), both replicas converge and equal the
# master, and the window is back to 1 s past the slow event.
#
# usage: [CPU_PERCENT=5] slow_master_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO [ROW_MB]
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4"
row_mb=${5:-64}
name="slow-master"
source "$(dirname "$0")/ops_lib.sh"

OPS_START_ARGS="--master-option max_allowed_packet=256M --replica-option max_allowed_packet=256M"
# The master's threads go into a CPU cgroup limited to a percentage of one CPU (cgroup v1
# `cpu` controller or v2 `cpu.max`; the test runs as root, as CI does). SIGSTOP/SIGCONT
# duty cycles were tried first: they did not make the master slow at the right moment
# (the old code passed them by luck), a CPU quota does (the old code failed at once).
# A quota only slows what the master computes, not what it waits for, so on a fast
# machine 10% was quick enough (CI run of 2026-12-03: converged with no silence
# at all): an attempt that never met the slowness is redone from a fresh sandbox with a
# third of the quota, down to 1%; only an attempt that met it is checked.
cpu_percent=${CPU_PERCENT:-5}
cgroup=""
master_pid=""
throttle_start() {
  local root
  if [ -w /sys/fs/cgroup/cpu/cgroup.procs ] && [ -d /sys/fs/cgroup/cpu ]; then
    root=/sys/fs/cgroup/cpu cgroup=$root/vomsrepl-slow-master-$$
    mkdir "$cgroup" || fail "cannot create the cgroup $cgroup"
    echo 100000 > "$cgroup/cpu.cfs_period_us"
    echo $((cpu_percent * 1000)) > "$cgroup/cpu.cfs_quota_us"
  elif grep -qw cpu /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
    root=/sys/fs/cgroup cgroup=$root/vomsrepl-slow-master-$$
    grep -qw cpu "$root/cgroup.subtree_control" || echo +cpu > "$root/cgroup.subtree_control"
    mkdir "$cgroup" || fail "cannot create the cgroup $cgroup"
    echo "$((cpu_percent * 1000)) 100000" > "$cgroup/cpu.max"
  else
    fail "this test needs a CPU cgroup (v1 /sys/fs/cgroup/cpu or v2 with the cpu controller) and root"
  fi
  echo "$master_pid" > "$cgroup/cgroup.procs" || fail "cannot move the master into $cgroup"
}
throttled=""
throttle_stop() {
  [ -n "$cgroup" ] || return 0
  throttled=$(sed -n 's/^nr_throttled //p' "$cgroup/cpu.stat" 2>/dev/null || true)
  [ -n "$master_pid" ] && [ -e "/proc/$master_pid" ] && echo "$master_pid" > "$(dirname "$cgroup")/cgroup.procs" 2>/dev/null
  rmdir "$cgroup" 2>/dev/null || true
  cgroup=""
}

attempt=0
while :; do
  attempt=$((attempt + 1))
  ops_setup
  trap 'throttle_stop; ops_cleanup' EXIT
  sql master -e "CREATE TABLE voms_otest.big_row (id INT PRIMARY KEY, note VARCHAR(20), v LONGBLOB) ENGINE=InnoDB"
  sql master -e "INSERT INTO voms_otest.big_row VALUES (1, 'first', REPEAT('v', $row_mb * 1048576)), (2, 'small', 'x')"
  sql master -e "UPDATE voms_otest.big_row SET note = 'second' WHERE id = 1"

  master_pid=$(cat "$dir/master/mariadbd.pid")
  [[ $master_pid =~ ^[0-9]+$ ]] || fail "no master PID in $dir/master/mariadbd.pid"
  throttle_start

  t0=$(now_ms)
  ops_start_daemon
  ops_converge 300
  t_converged=$(now_ms)
  throttle_stop
  grep -q "so the dump connection now waits up to" "$dir/run.log" && break
  [ "$cpu_percent" -gt 1 ] ||
    fail "the stream never widened its silence window, even with the master held to 1% of one CPU" \
         "(throttled ${throttled:-?} time(s)): the master was not slow enough to test anything"
  echo "$name: attempt $attempt at ${cpu_percent}% of one CPU converged in $(( (t_converged - t0) / 1000 )) s" \
       "without a silence (throttled ${throttled:-?} time(s)); again from a fresh sandbox with a third of the quota"
  mv "$dir/run.log" "$dir/../$name-attempt-$attempt.log" 2>/dev/null || true
  ops_stop_daemon
  cpu_percent=$(( cpu_percent / 3 > 1 ? cpu_percent / 3 : 1 ))
done

widened=$(grep -c "so the dump connection now waits up to" "$dir/run.log" || true)
[ "$widened" -ge 1 ] ||
  fail "the stream never widened its silence window: the throttled master was not slow enough to test anything"
# The window is reset by the first event past the place it widened at. That place may
# be the binlog's end (a heartbeat the throttled master sent late), with no event after
# it yet: one more transaction, with the master at full speed again, must reset it.
sql master -e "INSERT INTO voms_otest.big_row VALUES (3, 'after', 'x')"
reset_logged() { grep -q "past the slow event" "$dir/run.log"; }
ops_await 60 "a 'past the slow event' line (the window reset)" reset_logged
ops_converge 120
max_window=$(grep -o "now waits up to [0-9]* s" "$dir/run.log" | awk '{print $5}' | sort -n | tail -1)
reconnects=$(grep -c "master stream: reconnected" "$dir/run.log" || true)
for r in replica1 replica2; do
  got=$(sql "$r" -e "SELECT note, LENGTH(v), MD5(v) FROM voms_otest.big_row WHERE id = 1")
  want=$(sql master -e "SELECT note, LENGTH(v), MD5(v) FROM voms_otest.big_row WHERE id = 1")
  [ "$got" = "$want" ] || fail "$r big_row: '$got', master: '$want'"
done
ops_check_equal 0
echo "$name: converged $(( (t_converged - t0) / 1000 )) s after the daemon started; silence window widened" \
     "$widened time(s), up to $max_window s; $reconnects reconnect(s)"
echo "FIGURE: scenario=slow-master injected=\"master held to ${cpu_percent}% of one CPU (cgroup, attempt $attempt), a ${row_mb} MB row inserted and updated, heartbeat 500 ms\" times=1 converge_ms=$((t_converged - t0)) widened=$widened max_window_s=$max_window reconnects=$reconnects master_txns=$master_txns journaled=$journaled lost=0 duplicated=0 result=converged"
