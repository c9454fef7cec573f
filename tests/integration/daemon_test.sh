#!/usr/bin/env bash
# `vomsrepl run` end to end against a real sandbox (master + 2 read-only replicas):
#   * voms_dtest replicated as is, voms_dother renamed to voms_dother_r on the replicas,
#     notvoms (outside the filter) never reaches them;
#   * replica2 is applied on 3 connections (writeset-parallel), replica1 on one;
#   * the feeder is stopped with SIGTERM once and killed with SIGKILL KILLS times at
#     random moments while VOMS-like workloads run, and restarted each time;
#   * afterwards every table of the replicated databases equals the master's (CHECKSUM
#     TABLE), each replica's progress is the master's GTID position, and the journal
#     holds exactly one entry per kept master transaction (0 lost, 0 duplicated);
#   * /metrics counts a final workload exactly; /status and /health answer; no
#     password appears in the log, /status or /metrics.
#
# usage: daemon_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO [KILLS [TRANSACTIONS]]
#   (or VOMSREPL_DAEMON_KILLS / VOMSREPL_DAEMON_TRANSACTIONS; CI: 6 kills, 3000+1000).
#   The workload is TRANSACTIONS on voms_dtest plus TRANSACTIONS/3 on voms_dother; the
#   kills are spread over it by master progress (one per KILLS+1-th of it). By hand:
#     20 kills, 50,000 + 16,666:  daemon_test.sh tools/sandbox build/src/app/vomsrepl D . 20 50000
#     issue 9's "50 random points of a 100k-transaction workload" (75,000 + 25,000):
#                                 daemon_test.sh tools/sandbox build/src/app/vomsrepl D . 50 75000
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4" kills="${5:-${VOMSREPL_DAEMON_KILLS:-6}}"
transactions="${6:-${VOMSREPL_DAEMON_TRANSACTIONS:-3000}}"
name="daemon_test"
# shellcheck source=ops_lib.sh
source "$(dirname "$0")/ops_lib.sh"
fail_logs=("$dir/vomsrepl.log")
trap cleanup EXIT

"$sandbox" stop --dir "$dir" --purge >/dev/null 2>&1 || true
"$sandbox" start --replicas 2 --dir "$dir" --load-voms dtest --load-voms dother --also-replicas >/dev/null
# voms_dother is voms_dother_r on the replicas (the VOMS procedure's --master-db/--db pair).
for r in replica1 replica2; do ops_rename_database "$r" voms_dother voms_dother_r; done
sql master -e "CREATE DATABASE notvoms; CREATE TABLE notvoms.t (id INT PRIMARY KEY, v VARCHAR(20))"

start_gtid=$(sql master -e "SELECT @@gtid_binlog_pos")
start_seq=${start_gtid##*-}
ops_config 4251 master "read_timeout_s = 3" \
  filter "[filter.rename]" filter 'voms_dother = "voms_dother_r"' filter "[apply]" filter "group_transactions = 50" \
  replica2 "workers = 3" end "[log]" end "file = \"$dir/vomsrepl.log\""
"$vomsrepl" check-config --config "$dir/vomsrepl.toml" > "$dir/check.txt" || { cat "$dir/check.txt"; fail "check-config"; }

start_daemon() {
  "$vomsrepl" run --config "$dir/vomsrepl.toml" >> "$dir/run.log" 2>&1 &
  daemon_pid=$!
  daemon_started=$(date +%s)
}
healthy() { http /health >/dev/null 2>&1; }
start_daemon
await 60 "/health answering" healthy

# A second feeder is refused: on the same state directory, and with the same server_id
# on the same master (exit 6, saying why).
rc=0; "$vomsrepl" run --config "$dir/vomsrepl.toml" > "$dir/second.log" 2>&1 || rc=$?
[ "$rc" -eq 6 ] && grep -q "$dir/state" "$dir/second.log" || { cat "$dir/second.log"; fail "second run on one state dir: exit $rc"; }
sed -e "s|^state_dir = .*|state_dir = \"$dir/state2\"|" -e 's|^listen = .*|listen = ""|' "$dir/vomsrepl.toml" > "$dir/second.toml"
rc=0; "$vomsrepl" run --config "$dir/second.toml" > "$dir/second.log" 2>&1 || rc=$?
[ "$rc" -eq 6 ] && grep -q "server_id 4251" "$dir/second.log" || { cat "$dir/second.log"; fail "second feeder with one server_id: exit $rc"; }

# Workloads on both databases and writes outside the filter, while the feeder is
# stopped and killed.
"$repo/tools/voms-workload" --vo dtest --transactions "$transactions" --seed 21 --dir "$dir" > "$dir/wl1.out" &
wl1=$!
"$repo/tools/voms-workload" --vo dother --transactions $((transactions / 3)) --seed 22 --dir "$dir" > "$dir/wl2.out" &
wl2=$!
notvoms=0
RANDOM=4251
sleep 1
kill -TERM "$daemon_pid"; wait "$daemon_pid" || fail "SIGTERM did not end the daemon cleanly (exit $?)"
start_daemon
# Kills spread over the whole workload by its progress on the master (not by time: the
# machine's speed varies): with SLOT = workload / (KILLS+1), kill i comes at a random
# master transaction in [i*SLOT - SLOT/2, i*SLOT + SLOT/2), so every part of the run gets
# one. About 7% of the workload's transactions change no row and reach no binlog: the
# estimate takes 90% of them; should the workloads still end first, the kill comes then.
total=$(( (transactions + transactions / 3) * 9 / 10 ))
slot=$(( total / (kills + 1) ))
[ "$slot" -ge 4 ] || fail "$kills kills need more than $transactions transactions"
master_seq() { local g; g=$(sql master -e "SELECT @@gtid_binlog_pos"); echo "${g##*-}"; }
kill_at=()
for i in $(seq "$kills"); do
  sql master -e "INSERT INTO notvoms.t VALUES ($i, 'x')"; notvoms=$((notvoms + 1))
  target=$(( start_seq + slot * i - slot / 2 + (RANDOM * 32768 + RANDOM) % slot ))
  while [ "$(master_seq)" -lt "$target" ]; do
    kill -0 "$wl1" 2>/dev/null || kill -0 "$wl2" 2>/dev/null || break
    sleep 0.1
  done
  # The daemon must still run here: one that has exited by itself is a failure, not a kill.
  kill -0 "$daemon_pid" 2>/dev/null || { tail -n 30 "$dir/run.log" >&2; fail "the daemon exited before kill $i"; }
  kill -9 "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true
  kill_at+=("$(( $(master_seq) - start_seq ))")
  start_daemon
done
echo "daemon_test: $kills SIGKILLs at master transaction (of about $total): ${kill_at[*]}"
wait "$wl1" || fail "workload 1"
wait "$wl2" || fail "workload 2"

# Both replicas at the journal's end, the source at the master's end_gtid (ops_converge).
end_gtid=$(sql master -e "SELECT @@gtid_binlog_pos")
ops_converge 90

# 0 lost, 0 duplicated: one journal entry per kept master transaction.
end_seq=${end_gtid##*-}
last_seq=$(json "$dir/status.json" 'd["journal"]["last_seq"]')
expected=$((end_seq - start_seq - notvoms))
[ "$last_seq" -eq "$expected" ] || fail "journal holds $last_seq transactions, the master committed $expected kept ones"

m1=$(checksums master voms_dtest); m2=$(checksums master voms_dother)
[ "$(echo "$m1" | wc -l)" -ge 30 ] || fail "expected the VOMS schema on the master"
for r in replica1 replica2; do
  [ "$(checksums "$r" voms_dtest)" = "$m1" ] || fail "$r voms_dtest differs from the master"
  [ "$(checksums "$r" voms_dother_r)" = "$m2" ] || fail "$r voms_dother_r differs from the master's voms_dother"
  n=$(sql "$r" -e "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name IN ('notvoms', 'voms_dother')")
  [ "$n" -eq 0 ] || fail "$r holds a database outside the filter or under its source name"
done

# Metrics count exactly what this daemon instance journaled: the transactions after the
# journal seq it resumed at. The feeder moves the counter just after the journal write
# that /status shows, so the counter is waited for (30 s at most), not read at once.
resumed_at=$(grep -h 'feeder: resuming after journal seq' "$dir/vomsrepl.log" | tail -n1 |
             sed -n 's/.*resuming after journal seq \([0-9]*\).*/\1/p')
[ -n "$resumed_at" ] || fail "no 'feeder: resuming after journal seq' line in the log of the last restart"
metric_is() {  # NAME VALUE: the metric (in $dir/metrics.txt, fetched now) equals VALUE
  http /metrics > "$dir/metrics.txt" &&
    [ "$(awk -v m="$1" '$1 == m {printf "%d", $2}' "$dir/metrics.txt")" = "$2" ]
}
await 30 "transactions_total = journal seq $last_seq - $resumed_at (resumed at)" \
  metric_is vomsrepl_source_transactions_total $((last_seq - resumed_at))
g0=$(sql master -e "SELECT @@gtid_binlog_pos")
"$repo/tools/voms-workload" --vo dtest --transactions 200 --seed 23 --dir "$dir" >/dev/null
g1=$(sql master -e "SELECT @@gtid_binlog_pos")
ops_converge 90
final_seq=$(json "$dir/status.json" 'd["journal"]["last_seq"]')
[ "$final_seq" -eq $((last_seq + ${g1##*-} - ${g0##*-})) ] ||
  fail "the journal grew from $last_seq to $final_seq for $(( ${g1##*-} - ${g0##*-} )) master transactions"
await 30 "transactions_total = $final_seq - $resumed_at after $(( ${g1##*-} - ${g0##*-} )) more master transactions" \
  metric_is vomsrepl_source_transactions_total $((final_seq - resumed_at))
await 30 "/metrics applied_seq of replica2 = the journal's last seq $final_seq" \
  metric_is 'vomsrepl_replica_applied_seq{replica="replica2"}' "$final_seq"
grep -q '^vomsrepl_rows_total{database="voms_dtest",operation="insert"} ' "$dir/metrics.txt" || fail "no per-database row metric"
# Replica commits: at least one, at most one per applied transaction; the VOMS workload on
# a healthy replica needs no row-by-row retry.
awk '
  $1 == "vomsrepl_replica_commits_total{replica=\"replica2\"}" {c = $2}
  $1 == "vomsrepl_replica_transactions_total{replica=\"replica2\"}" {t = $2}
  $1 == "vomsrepl_replica_careful_retries_total{replica=\"replica2\"}" {r = $2; seen = 1}
  END {exit !(c >= 1 && c <= t && seen && r == 0)}' "$dir/metrics.txt" ||
  fail "replica commit / careful-retry metrics implausible: $(grep -E '^vomsrepl_replica_(commits|careful|transactions)' "$dir/metrics.txt" | tr '\n' ' ')"
# The journal writer's busy time and batches moved, and the time is below the instance's
# lifetime (it is wall time of one thread).
awk -v up="$(( $(date +%s) - daemon_started ))" '
  $1 == "vomsrepl_journal_append_seconds_total" {s = $2}
  $1 == "vomsrepl_journal_append_batches_total" {b = $2}
  END {exit !(s > 0 && b >= 1 && s <= up + 1)}' "$dir/metrics.txt" ||
  fail "journal append metrics missing or implausible: $(grep '^vomsrepl_journal_append' "$dir/metrics.txt" | tr '\n' ' ')"
# The journal synced at least once, and with the default periodic sync the journal is
# durable through its last seq within a second once the master is quiet.
awk '$1 == "vomsrepl_journal_syncs_total" {s = $2} END {exit !(s >= 1)}' "$dir/metrics.txt" ||
  fail "no journal sync counted: $(grep '^vomsrepl_journal_syncs' "$dir/metrics.txt" | tr '\n' ' ')"
# (Waited for with a deadline: a sync's own duration is the disk's, under an I/O load
# seconds, so the 100 ms period is not a bound the test can hold the daemon to.)
durable() {
  http /status > "$dir/status-durable.json" &&
    python3 -c 'import json,sys; j=json.load(open(sys.argv[1]))["journal"]; sys.exit(0 if j["durable_seq"] == j["last_seq"] > 0 else 1)' \
      "$dir/status-durable.json"
}
await 30 "the journal durable through its last seq once the master is quiet ($(cat "$dir/status-durable.json" 2>/dev/null))" durable
# The last master transaction is a kept one now: each replica's own progress row (the
# truth after a crash) is the master's GTID position.
for r in replica1 replica2; do
  got=$(progress_state "$r")
  [ "$got" = "$g1" ] || fail "$r progress row says $got, master is at $g1"
done
# replica2 was applied on 3 connections (workers = 3), replica1 on one, through the kills.
grep -qs "replica replica2: applying on 3 connections" "$dir"/vomsrepl.log* || fail "replica2 did not apply on 3 connections"
! grep -qs "replica replica1: applying on" "$dir"/vomsrepl.log* || fail "replica1 applied on several connections"

# No secret anywhere an operator or a scraper looks.
for f in "$dir"/master/*.cnf "$dir"/replica1/*.cnf; do
  pw=$(sed -n 's/^password *= *//p' "$f" | tr -d "\"'")
  [ -n "$pw" ] || continue
  for out in "$dir/run.log" "$dir"/vomsrepl.log* "$dir/status.json" "$dir/metrics.txt" "$dir/check.txt"; do
    if grep -qF -- "$pw" "$out"; then fail "a password from $f appears in $out"; fi
  done
done

# SIGHUP reopens the log file (after logrotate moved it away).
mv "$dir/vomsrepl.log" "$dir/vomsrepl.log.1"
kill -HUP "$daemon_pid"
reopened() { grep -qs "log reopened" "$dir/vomsrepl.log"; }
await 30 "SIGHUP reopening the log file" reopened
kill -0 "$daemon_pid" || fail "SIGHUP ended the daemon"

# Per-replica control: replica2 stopped falls behind while replica1 follows, then
# catches up from the journal when started again.
"$vomsrepl" replica stop replica2 --config "$dir/vomsrepl.toml" >/dev/null || fail "replica stop"
await 30 "replica2 stopped after replica stop" ops_replica_is replica2 stopped
"$repo/tools/voms-workload" --vo dtest --transactions 50 --seed 24 --dir "$dir" >/dev/null
# Once the feeder journaled the workload and replica1 applied it (waited for), the
# stopped replica2 must show the difference as its lag.
g2=$(sql master -e "SELECT @@gtid_binlog_pos")
r1_followed() {
  http /status > "$dir/status.json" 2>/dev/null &&
    python3 - "$dir/status.json" "$g2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = {x["name"]: x for x in d["replicas"]}
sys.exit(0 if d["source"].get("gtid_state") == sys.argv[2] and r["replica1"]["state"] == "running"
         and r["replica1"]["applied_seq"] == d["journal"]["last_seq"] else 1)
PY
}
await 60 "replica1 applying the workload while replica2 is stopped" r1_followed
read -r lag state2 behind < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
r=[x for x in d["replicas"] if x["name"] == "replica2"][0]
print(r["lag_transactions"], r["state"], d["journal"]["last_seq"] - r["applied_seq"])' "$dir/status.json")
[ "$state2" = stopped ] && [ "$behind" -gt 0 ] && [ "$lag" -eq "$behind" ] ||
  fail "stopped replica2: state $state2, lag_transactions $lag, $behind behind the journal's end"
"$vomsrepl" replica start replica2 --config "$dir/vomsrepl.toml" >/dev/null || fail "replica start"
ops_converge 90
rc=0; "$vomsrepl" replica stop nosuch --config "$dir/vomsrepl.toml" 2>/dev/null || rc=$?
[ "$rc" -eq 2 ] || fail "replica stop of an unknown replica: exit $rc"
rc=0; "$vomsrepl" replica skip replica1 --config "$dir/vomsrepl.toml" 2>/dev/null || rc=$?
[ "$rc" -eq 6 ] || fail "skip on a running replica must be refused (exit $rc)"

kill -TERM "$daemon_pid"; wait "$daemon_pid" || fail "final SIGTERM (exit $?)"
daemon_pid=""
status_out=$("$vomsrepl" status --state-dir "$dir/state")
[[ $status_out == *replica2* ]] || fail "vomsrepl status does not list replica2"
echo "daemon_test: ok: $((end_seq - start_seq)) master transactions, 1 SIGTERM + $kills SIGKILL restarts, $last_seq journaled, 2 replicas equal (one renamed)"
