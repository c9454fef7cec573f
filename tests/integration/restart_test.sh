#!/usr/bin/env bash
# Diagnostics never disturb the feeder; stop-then-start always works (issue 21, item 1),
# on a sandbox of its own (master + 2 read-only replicas, `vomsrepl run` feeding both, a
# VOMS workload running in the background throughout; the feeder with server_id 4242 and
# the default 5 s heartbeat, as in the issue). The replication account is
# granted REPLICATION MASTER ADMIN, so that the preflight sees SHOW SLAVE HOSTS (where a
# feeder that has just stopped is still listed).
#
#   1. `vomsrepl stats --master` and `vomsrepl dump --master` without --server-id while the
#      feeder streams: each exits 0 with a server id of its own; the feeder is not dropped
#      (vomsrepl_source_reconnects_total unchanged, no "same server_id" in its log).
#      `stats --master --server-id <the feeder's>` is refused (exit 6, naming the running
#      feeder) and does not disturb it either.
#   2. ROUNDS times (default 20): SIGTERM, wait for the clean exit, start again at once;
#      each start must stream again (the journal grows past where it stopped).
#   3. Workload stopped: both replicas equal to the master (CHECKSUM TABLE of every
#      table), one journal entry per master transaction (0 lost, 0 duplicated).
#
# usage: restart_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO
#   VOMSREPL_RESTART_ROUNDS (default 20)
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4"
name=restart
rounds=${VOMSREPL_RESTART_ROUNDS:-20}
source "$(dirname "$0")/ops_lib.sh"

ops_setup
# The feeder on 4242, the server id dump/stats --master used by default before issue 21,
# with the default heartbeat (5 s): the master then notices a stopped feeder's dump
# connection only seconds later and still lists it when the next one starts.
sed -i -e 's/^server_id = 4261$/server_id = 4242/' -e 's/^heartbeat_ms = 500$/heartbeat_ms = 5000/' \
  -e 's/^read_timeout_s = 3$/read_timeout_s = 30/' "$dir/vomsrepl.toml"
grep -q '^server_id = 4242$' "$dir/vomsrepl.toml" && grep -q '^heartbeat_ms = 5000$' "$dir/vomsrepl.toml" ||
  fail "could not set the feeder's server_id to 4242 and its heartbeat to 5 s"
sql master -e "SET sql_log_bin = 0; GRANT REPLICATION MASTER ADMIN ON *.* TO 'vomsrepl_repl'@'127.0.0.1'"
ops_start_daemon
ops_workload 50 71
ops_converge
ops_bg_start 1000

metric() { http /metrics | awk -v m="$1" '$1 == m {print $2}'; }
last_seq() { http /status | python3 -c 'import json,sys; print(json.load(sys.stdin)["journal"]["last_seq"])'; }
grew_past() { local s; s=$(last_seq 2>/dev/null) && [ -n "$s" ] && [ "$s" -gt "$1" ]; }

# 1. Diagnostics against the live feeder.
reconnects0=$(metric vomsrepl_source_reconnects_total)
seq0=$(last_seq)
export VOMSREPL_MASTER_DEFAULTS_FILE="$dir/master/repl.cnf"
"$vomsrepl" stats --master > "$dir/stats.txt" 2> "$dir/stats.err" || { cat "$dir/stats.err"; fail "stats --master: exit $?"; }
"$vomsrepl" dump --master > "$dir/dump.txt" 2> "$dir/dump.err" || { cat "$dir/dump.err"; fail "dump --master: exit $?"; }
rc=0; "$vomsrepl" stats --master --server-id 4242 > "$dir/stats-same.txt" 2>&1 || rc=$?
[ "$rc" -eq 6 ] && grep -q "belongs to a running vomsrepl feeder" "$dir/stats-same.txt" ||
  { cat "$dir/stats-same.txt"; fail "stats --master with the feeder's server id: exit $rc, want 6 naming the feeder"; }
unset VOMSREPL_MASTER_DEFAULTS_FILE
await 60 "the feeder streaming after the diagnostics" grew_past "$seq0"
[ "$(metric vomsrepl_source_reconnects_total)" = "$reconnects0" ] ||
  fail "the feeder reconnected during stats/dump --master ($reconnects0 -> $(metric vomsrepl_source_reconnects_total))"
grep -q "same server_id" "$dir/run.log" && fail "the master dropped the feeder for a duplicate server id"
kill -0 "$daemon_pid" 2>/dev/null || fail "the daemon exited during the diagnostics"
echo "$name: stats and dump --master beside the feeder: 0 reconnects of the feeder; its own server id refused"

# 2. Stop, then start at once, ROUNDS times.
stale=0
for i in $(seq "$rounds"); do
  seq_before=$(last_seq)
  ops_stop_daemon
  log0=$(wc -l < "$dir/run.log")
  ops_start_daemon
  await 60 "round $i: the restarted daemon streaming past journal seq $seq_before" grew_past "$seq_before"
  if grep -q "or one that has ended" <(tail -n +"$((log0 + 1))" "$dir/run.log"); then stale=$((stale + 1)); fi
done
kill -0 "$daemon_pid" 2>/dev/null || fail "the daemon exited"
echo "$name: $rounds stop-then-start rounds, each streaming again ($stale found the last stream still registered)"

# 3. Everything arrived exactly once.
ops_bg_stop
ops_converge 120
ops_check_equal 0
ops_stop_daemon
echo "FIGURE: restart rounds=$rounds stale_registrations=$stale master_txns=$master_txns journaled=$journaled"
echo "$name: ok ($master_txns master transactions, $journaled journaled, both replicas equal)"
