#!/usr/bin/env bash
# A master slow to send a large event (issue 9 item 2, master faults), on a sandbox of
# its own. The master sends nothing, not even a heartbeat, while it reads an event into
# memory, and at a GTID start while it reads every event before the GTID: 0.45 s for a
# 128 MB row event on an idle MariaDB 10.11 here, more than the 1 s silence window of
# heartbeat_ms = 500 on a loaded CI machine, where a fixed window made every reconnect
# time out at the same event for ever (CI run of 2026-12-02, big_data).
#
# What the feeder sees of such a master is a dump connection that goes silent at the
# same place of the stream on every reconnect, for longer than its window. That is made
# exact here by the fault proxy (tests/integration/fault_proxy) between the feeder and
# the master: every connection, once 16 MB of a 64 MB row event have passed, is held for
# PAUSE_MS (default 3000 ms, three times the 1 s window) and then let through. (The
# first version held the master to a few % of one CPU in a cgroup: whether the silence
# happened at all depended on the machine's speed, so an attempt that met no silence was
# redone with a smaller quota (issue 27: no retries). The proxy's pause happens every
# time, on every machine.)
#
# Checks: the feeder loses the connection at the same place, widens its silence window
# (logged) instead of timing out there for ever, gets past the event, both replicas
# converge and equal the master (the 64 MB row by MD5), and the window is back to 1 s
# past the slow event.
#
# usage: [PAUSE_MS=3000] slow_master_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO FAULT_PROXY [ROW_MB]
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4" fault_proxy="$5"
row_mb=${6:-64}
pause_ms=${PAUSE_MS:-3000}
name="slow-master"
source "$(dirname "$0")/ops_lib.sh"

OPS_START_ARGS="--master-option max_allowed_packet=256M --replica-option max_allowed_packet=256M"
ops_before_config() { ops_proxy_start mproxy master "$dir/master/repl.cnf"; }
OPS_MASTER_CNF="$dir/mproxy.cnf"
ops_setup
sql master -e "CREATE TABLE voms_otest.big_row (id INT PRIMARY KEY, note VARCHAR(20), v LONGBLOB) ENGINE=InnoDB"
sql master -e "INSERT INTO voms_otest.big_row VALUES (1, 'first', REPEAT('v', $row_mb * 1048576)), (2, 'small', 'x')"
sql master -e "UPDATE voms_otest.big_row SET note = 'second' WHERE id = 1"
# The dump connection's first bytes (handshake, the events before the big row) are far
# less than a quarter of the row: the pause falls inside the row event, on every connection.
pause_at=$(( row_mb * 1048576 / 4 ))
ops_proxy mproxy pause-each "$pause_at" "$pause_ms" >/dev/null

t0=$(now_ms)
ops_start_daemon
widened_logged() { grep -q "so the dump connection now waits up to" "$dir/run.log"; }
ops_await 300 "a widened silence window (the log's 'now waits up to')" widened_logged
ops_converge 300
t_converged=$(now_ms)
pauses=$(ops_proxy_stat mproxy pauses)
[ "$pauses" -ge 2 ] ||
  fail "the proxy paused $pauses connection(s): a widened window needs the same silence met twice"
ops_proxy mproxy pause-each 0 0 >/dev/null

widened=$(grep -c "so the dump connection now waits up to" "$dir/run.log" || true)
[ "$widened" -ge 1 ] ||
  fail "the stream never widened its silence window"
# The window is reset by the first event past the place it widened at. That place may
# be the binlog's end (a heartbeat sent late), with no event after it yet: one more
# transaction must reset it.
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
     "$widened time(s), up to $max_window s; $reconnects reconnect(s); $pauses connection(s) paused"
echo "FIGURE: scenario=slow-master injected=\"every dump connection silent ${pause_ms} ms a quarter into a ${row_mb} MB row event (fault proxy), the row inserted and updated, heartbeat 500 ms\" times=1 converge_ms=$((t_converged - t0)) widened=$widened max_window_s=$max_window reconnects=$reconnects master_txns=$master_txns journaled=$journaled lost=0 duplicated=0 result=converged"
