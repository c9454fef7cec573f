#!/usr/bin/env bash
# Faults on the master side of `vomsrepl run` (issue 9, items 2 and 4), on a sandbox
# of its own (master + 2 read-only replicas):
#
#   restart-flush  a workload in chunks of 100 transactions with FLUSH BINARY LOGS after
#                  each chunk; the master is restarted cleanly once and killed (kill -9,
#                  in the middle of a chunk) once. The feeder must resume by itself at
#                  an existing position (no "impossible position", no error line, no
#                  exit), and converge: every table equal, one journal entry per master
#                  transaction (0 lost, 0 duplicated).
#   binlog-purged  the feeder needs binlogs the master purged, (a) from its configured
#                  start GTID on a first start, (b) from its checkpoint after it was
#                  stopped: it exits with code 7 (kExitBinlogPurged), its message names
#                  the GTID and `vomsrepl bootstrap`, and not one row reaches a replica
#                  past the gap (tables and progress rows unchanged).
#
# usage: fault_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO MODE
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4" mode="$5"
name="fault_$mode"
source "$(dirname "$0")/ops_lib.sh"

# The replicas' state: every table checksum and the progress rows.
replica_state() {
  local r
  for r in replica1 replica2; do
    checksums "$r" voms_otest
    # No table and no row are the same state: an applier may create the empty table.
    sql "$r" -e "SELECT channel, seq, gtid_state FROM vomsrepl.progress WHERE seq > 0 ORDER BY channel" 2>/dev/null || true
  done
}

# expect_purged LABEL GTID: `vomsrepl run` must exit 7 naming GTID and bootstrap.
expect_purged() {
  local label=$1 gtid=$2 rc=0 t0
  t0=$(now_ms)
  timeout 60 "$vomsrepl" run --config "$dir/vomsrepl.toml" > "$dir/purged-$label.log" 2>&1 || rc=$?
  [ "$rc" -eq 7 ] || { cat "$dir/purged-$label.log" >&2; fail "$label: exit code $rc, want 7 (binlog purged)"; }
  grep -q -- "$gtid" "$dir/purged-$label.log" || { cat "$dir/purged-$label.log" >&2; fail "$label: the message does not name GTID $gtid"; }
  grep -q 'vomsrepl bootstrap' "$dir/purged-$label.log" || fail "$label: the message does not point to vomsrepl bootstrap"
  echo "$name: $label: exit 7 after $(( $(now_ms) - t0 )) ms: $(grep -m1 -i 'purged' "$dir/purged-$label.log" | cut -c1-300)"
}

purge_master_binlogs() {
  sql master -e "FLUSH BINARY LOGS"
  local current
  current=$(sql master -e "SHOW MASTER STATUS" | awk '{print $1}')
  # The previous file stays "in use" until InnoDB's binlog checkpoint passes it.
  for _ in $(seq 50); do
    sql master -e "PURGE BINARY LOGS TO '$current'" 2>/dev/null || true
    [ "$(sql master -e "SHOW BINARY LOGS" | wc -l)" -eq 1 ] && return 0
    sleep 0.2
  done
  sql master -e "SHOW BINARY LOGS" >&2
  fail "the master kept more than its current binlog"
}

# await_reconnect N: waits (60 s at most) until the log holds more than N
# "master stream: reconnected" lines: the feeder resumed by itself after a master restart.
# Each restart waits for its own reconnect before the test goes on, so that a second
# restart never falls inside the first one's backoff (two restarts, one reconnect).
reconnects_logged() { grep -c 'master stream: reconnected' "$dir/run.log" || true; }
await_reconnect() {
  local deadline=$(( $(date +%s) + 60 ))
  while [ "$(reconnects_logged)" -le "$1" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "no reconnect logged within 60 s of the master's restart ($1 before it)"
    sleep 0.2
  done
}

case $mode in
restart-flush)
  ops_setup
  ops_start_daemon
  flushes=0 restarts=0 kills=0
  for i in $(seq 12); do
    if [ "$i" -eq 8 ]; then
      # kill -9 of the master in the middle of a chunk.
      "$repo/tools/voms-workload" --vo otest --transactions 100 --seed $((50 + i)) --dir "$dir" >/dev/null 2>&1 &
      bg_pid=$!
      sleep 0.$((RANDOM % 4 + 2))
      r0=$(reconnects_logged)
      ops_server kill master
      wait "$bg_pid" 2>/dev/null || true
      bg_pid=""
      kills=$((kills + 1))
      ops_server start master
      await_reconnect "$r0"
    else
      ops_workload 100 $((50 + i))
    fi
    if [ "$i" -eq 4 ]; then
      r0=$(reconnects_logged)
      ops_server stop master
      sleep 1
      ops_server start master
      restarts=$((restarts + 1))
      await_reconnect "$r0"
    fi
    sql master -e "FLUSH BINARY LOGS"
    flushes=$((flushes + 1))
  done
  ops_converge 90
  ops_check_equal 0
  kill -0 "$daemon_pid" 2>/dev/null || fail "the daemon exited"
  bad='^[^ ]+ (error|critical) |impossible position|error 1236'
  ! grep -qiE "$bad" "$dir/run.log" || { grep -iE "$bad" "$dir/run.log" >&2; fail "error lines in the log"; }
  # Each restart waited for a reconnect of its own (await_reconnect): at least 2.
  reconnected=$(reconnects_logged)
  [ "$reconnected" -ge $((restarts + kills)) ] || fail "$reconnected reconnects logged for $((restarts + kills)) master restarts"
  binlogs=$(sql master -e "SHOW BINARY LOGS" | wc -l)
  ops_stop_daemon
  echo "FIGURE: scenario=$name injected=\"FLUSH BINARY LOGS every 100 transactions ($flushes), master clean restart ($restarts), master kill -9 mid-transaction ($kills)\" times=$((flushes + restarts + kills)) master_txns=$master_txns journaled=$journaled lost=0 duplicated=0 binlog_files=$binlogs reconnects=$reconnected result=converged"
  ;;

binlog-purged)
  ops_setup
  # (a) first start from a configured GTID that the master purged. The purged range
  # holds writes outside the filter only, so that the replicas still equal the master
  # for (b); (b)'s purged range holds VO transactions.
  for i in $(seq 20); do sql master -e "INSERT INTO notvoms.t VALUES ($i)"; done
  purge_master_binlogs
  before=$(replica_state)
  expect_purged start-gtid "$start_gtid"
  [ "$(replica_state)" = "$before" ] || fail "start-gtid: a replica changed although the feeder could not stream"
  # (b) resume from a checkpoint the master purged meanwhile. A fresh state directory
  # and a start at the master's current position first.
  rm -rf "$dir/state"
  sed -i "s/^start = .*/start = \"current\"/" "$dir/vomsrepl.toml"
  start_gtid=$(sql master -e "SELECT @@gtid_binlog_pos")
  ops_start_daemon
  ops_workload 100 62
  ops_converge
  ops_check_equal 0
  ops_stop_daemon
  checkpoint=$(json "$dir/status.json" 'd["source"]["gtid_state"]')
  ops_workload 100 63
  purge_master_binlogs
  before=$(replica_state)
  expect_purged checkpoint "$checkpoint"
  [ "$(replica_state)" = "$before" ] || fail "checkpoint: a replica changed although the feeder could not stream"
  echo "FIGURE: scenario=$name injected=\"start GTID and checkpoint GTID purged on the master\" times=2 exit_code=7 rows_past_gap=0 result=refused-with-bootstrap-advice"
  ;;
*) echo "usage: $0 SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO restart-flush|binlog-purged" >&2; exit 2 ;;
esac
echo "$name: ok"
