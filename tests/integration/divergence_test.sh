#!/usr/bin/env bash
# Divergence of a changed row (issue 9 item 7, issue 6 item 6), on a sandbox of its own
# (master + 2 read-only replicas, `vomsrepl run` with the default before-image check and
# divergence policy stop), while a VOMS workload runs:
#
#   1. a NON-key column of a row is changed by hand on replica2 (the admin account can
#      write despite read_only); the master then updates that row;
#   2. replica2's applier must stop with a precise error (table, key, journal seq,
#      source position and the transaction's GTID) in its /status entry and in the log,
#      soon after the conflicting commit: log_ms is measured from the master's clock
#      right after the UPDATE committed to the time stamp of the daemon's error line; the
#      test FAILS above 5000 ms in the suite (beside other tests, or a CPU and I/O hog:
#      tools/test --stress) and above the issue's goal, 1000 ms, with --goal-bounds
#      (tools/reliability-report, a machine running nothing else); detect_ms is the same to
#      the first /status that shows the error (polled every 10 ms; reported, not bounded:
#      on a loaded machine the poll itself is late);
#   3. replica1 keeps applying: it reaches the journal's end and equals the master while
#      replica2 stays stopped at the same place;
#   4. the operator repairs: the row is set back by hand to what the master's before
#      image says, `vomsrepl replica start replica2`; replica2 converges (every table
#      equal, one journal entry per master transaction: 0 lost, 0 duplicated).
#
# About 1 minute; in CI (label integration;fault).
# usage: divergence_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO [--goal-bounds]
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4"
name="divergence"
source "$(dirname "$0")/ops_lib.sh"

goal=$(goal_bounds "${5:-}") || exit 2
bound_ms=$(( goal ? 1000 : 5000 ))
ops_setup
ops_start_daemon

# A table of its own in voms_otest (the workload never touches it), created on the
# master: the daemon replicates the DDL and the rows to both replicas.
sql master -e "CREATE TABLE voms_otest.divergence_probe (id INT PRIMARY KEY, v VARCHAR(40), n INT, d DOUBLE);
               INSERT INTO voms_otest.divergence_probe VALUES (1, 'one', 1, 0.1), (2, 'two', 2, 0.2), (3, 'three', 3, 0.3)"
ops_converge 60

ops_bg_start 300
sleep 2
# 1. By hand on replica2: a non-key column of row 2.
sql replica2 -e "UPDATE voms_otest.divergence_probe SET n = 99 WHERE id = 2"
[ "$(sql replica2 -e "SELECT n FROM voms_otest.divergence_probe WHERE id = 2")" = 99 ] || fail "the hand change did not stick"
sleep 1
# The /status poller runs before the UPDATE is sent, in one process (no curl, grep and
# date spawned per poll, which on a loaded machine costs more than the detection): it
# writes the wall-clock ms of the first /status whose replica2 entry is in error.
rm -f "$dir/seen-ms" "$dir/poll-ready"
python3 - "$port" "$dir" <<'PY' &
import json, sys, time, urllib.request
port, d = sys.argv[1], sys.argv[2]
# The control token: /status shows the error's key values only with it.
token = open(d + "/state/http.token").read().strip()
req = urllib.request.Request(f"http://127.0.0.1:{port}/status", headers={"Authorization": "Bearer " + token})
end = time.time() + 60
while time.time() < end:
    try:
        body = urllib.request.urlopen(req, timeout=5).read()
    except OSError:
        time.sleep(0.02)
        continue
    seen = time.time()
    open(d + "/poll-ready", "w").close()
    if json.loads(body)["replicas"][1]["state"] == "error":
        open(d + "/status-div.json", "wb").write(body)
        open(d + "/seen-ms", "w").write("%d\n" % int(seen * 1000))
        sys.exit(0)
    time.sleep(0.01)
sys.exit(1)
PY
poll_pid=$!
for _ in $(seq 100); do [ -e "$dir/poll-ready" ] && break; sleep 0.05; done
[ -e "$dir/poll-ready" ] || fail "the /status poller did not start"
# The master updates that row: its clock before the statement, and the GTID it got.
out=$(sql master -e "SELECT ROUND(UNIX_TIMESTAMP(NOW(6)) * 1000), UTC_TIMESTAMP(3);
                     UPDATE voms_otest.divergence_probe SET v = 'two, by the master' WHERE id = 2;
                     SELECT @@last_gtid, ROUND(UNIX_TIMESTAMP(NOW(6)) * 1000)")
read -r t_before t_before_utc < <(echo "$out" | sed -n 1p)
read -r gtid t_committed < <(echo "$out" | sed -n 2p)
[[ $t_before =~ ^[0-9]+$ && $t_committed =~ ^[0-9]+$ && $gtid =~ ^[0-9]+-[0-9]+-[0-9]+$ ]] || fail "master answered '$out'"
echo "$name: master UPDATE $gtid started $t_before_utc UTC, committed within $(( t_committed - t_before )) ms"

# 2. replica2 stops, with the error in /status, within the bound.
wait "$poll_pid" || true
[ -s "$dir/seen-ms" ] || fail "replica2 did not stop within 60 s of the conflicting UPDATE"
detect_ms=$(( $(cat "$dir/seen-ms") - t_committed ))
err=$(json "$dir/status-div.json" 'd["replicas"][1]["last_error"]')
echo "$name: replica2 stopped after $detect_ms ms: $err"
for want in "row differs from the source's before image on UPDATE" '`voms_otest`.`divergence_probe`' \
            'key (id=2)' "GTID $gtid" 'divergence policy stop'; do
  [[ $err == *"$want"* ]] || fail "replica2's error lacks '$want': $err"
done
[[ $err =~ journal\ seq\ [0-9]+,\ source\ ([^,\ ]+):([0-9]+) ]] || fail "replica2's error names no journal seq and source position: $err"
# The position named is the one right after that transaction on the master.
at=$(sql master -e "SELECT BINLOG_GTID_POS('${BASH_REMATCH[1]}', ${BASH_REMATCH[2]})")
[ "$at" = "$gtid" ] || fail "the master's GTID state at ${BASH_REMATCH[1]}:${BASH_REMATCH[2]} is '$at', not $gtid"
[ "$(json "$dir/status-div.json" 'd["replicas"][0]["state"]')" = running ] || fail "replica1 is not running"
# The log says the same (one line, level error).
div_logged() { grep -q "replica replica2: stopped: .*row differs" "$dir/run.log"; }
ops_await 30 "replica2's divergence in the log" div_logged
line=$(grep -m1 -E '^[^ ]+ error replica replica2: stopped: .*row differs.*`voms_otest`.`divergence_probe`.*key \(id=2\)' \
       "$dir/run.log") || fail "no error line for replica2's divergence in the log"
# The daemon's own time of the error line (local time, as spdlog writes it): what the
# 20 ms /status polling adds to detect_ms is visible against it.
log_ms=$(( $(date -d "${line%% *}" +%s%3N) - t_committed ))
echo "$name: log line after $log_ms ms: ${line:0:120}..."
# The bound holds for the daemon's own time of the stop (its error line), not for when
# the /status poller saw it: a poll is late by whatever the machine's load makes it.
[ "$log_ms" -le "$bound_ms" ] || fail "detected after $log_ms ms (the error line's time), bound $bound_ms ms"
# The row on replica2 is untouched (the group was rolled back, nothing overwritten).
[ "$(sql replica2 -e "SELECT CONCAT(v, ' ', n) FROM voms_otest.divergence_probe WHERE id = 2")" = "two 99" ] ||
  fail "replica2's row changed"

# 3. replica1 keeps applying while the workload runs, and converges; replica2 stays put.
applied1=$(json "$dir/status-div.json" 'd["replicas"][0]["applied_seq"]')
applied2=$(json "$dir/status-div.json" 'd["replicas"][1]["applied_seq"]')
ops_bg_stop
# Transactions committed after replica2 stopped, for certain (the background workload's
# may all have come before, on a loaded machine): replica1 must apply them. (After the
# background workload: two workload clients at once can deadlock each other.)
ops_workload 20 900
want=$(sql master -e "SELECT @@gtid_binlog_pos")
ok=""
for _ in $(seq 300); do
  http /status > "$dir/status.json" 2>/dev/null || { sleep 0.2; continue; }
  if python3 - "$dir/status.json" "$want" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r1, r2 = d["replicas"]
sys.exit(0 if d["source"].get("gtid_state") == sys.argv[2] and r1["state"] == "running"
         and r1["applied_seq"] == d["journal"]["last_seq"] else 1)
PY
  then ok=1; break; fi
  sleep 0.2
done
[ -n "$ok" ] || { cat "$dir/status.json" >&2; fail "replica1 did not reach the journal's end"; }
end1=$(json "$dir/status.json" 'd["replicas"][0]["applied_seq"]')
[ "$end1" -gt "$applied1" ] || fail "replica1 did not apply anything after replica2 stopped ($applied1 -> $end1)"
[ "$(json "$dir/status.json" 'd["replicas"][1]["state"]')" = error ] || fail "replica2 left the error state by itself"
# Never past the failed transaction. (Its applied_seq may move up to the last commit
# before the failure: /status re-reads a stopped replica's progress row.)
failed2=$(json "$dir/status-div.json" 'd["replicas"][1]["failed_seq"]')
end2=$(json "$dir/status.json" 'd["replicas"][1]["applied_seq"]')
[[ $failed2 =~ ^[0-9]+$ && $failed2 -gt 0 ]] || fail "replica2's /status names no failed transaction"
[ "$end2" -lt "$failed2" ] && [ "$end2" -ge "$applied2" ] ||
  fail "replica2 applied past its error (applied seq $applied2 -> $end2, failed seq $failed2)"
m=$(checksums master voms_otest)
[ "$(checksums replica1 voms_otest)" = "$m" ] || fail "replica1 differs from the master while replica2 is stopped"
[ "$(checksums replica2 voms_otest)" != "$m" ] || fail "replica2 equals the master although it stopped"
echo "$name: replica1 applied seq $applied1 -> $end1 and equals the master; replica2 stayed at $applied2"

# 4. Repair: the row back to the master's before image, then start the applier again.
sql replica2 -e "UPDATE voms_otest.divergence_probe SET n = 2 WHERE id = 2"
"$vomsrepl" replica start replica2 --config "$dir/vomsrepl.toml" > "$dir/replica-start.txt" 2>&1 ||
  { cat "$dir/replica-start.txt" >&2; fail "vomsrepl replica start replica2"; }
ops_converge 60
ops_check_equal 0
[ "$(sql replica2 -e "SELECT CONCAT(v, ' ', n) FROM voms_otest.divergence_probe WHERE id = 2")" = "two, by the master 2" ] ||
  fail "replica2's repaired row is not the master's"
echo "$name: after the repair replica2 converged: $master_txns master transactions, $journaled journaled"

# 5. Two diverging transactions in one group (replica1 has one connection; it is paused
#    while the master commits both, so that it reads them together): skipping the first,
#    then the second, goes past both. (A skip used to commit with its group: when the next
#    transaction failed, the rollback took the skip with it, and the two took turns for
#    ever.)
"$vomsrepl" replica stop replica1 --config "$dir/vomsrepl.toml" > "$dir/replica-stop.txt" 2>&1 ||
  { cat "$dir/replica-stop.txt" >&2; fail "vomsrepl replica stop replica1"; }
ops_await 30 "replica1 stopped" ops_replica_is replica1 stopped
sql replica1 -e "UPDATE voms_otest.divergence_probe SET n = 71 WHERE id = 1; UPDATE voms_otest.divergence_probe SET n = 73 WHERE id = 3"
sql master -e "UPDATE voms_otest.divergence_probe SET v = 'one, again' WHERE id = 1;
               UPDATE voms_otest.divergence_probe SET v = 'three, again' WHERE id = 3"
"$vomsrepl" replica start replica1 --config "$dir/vomsrepl.toml" > "$dir/replica-start.txt" 2>&1 ||
  { cat "$dir/replica-start.txt" >&2; fail "vomsrepl replica start replica1"; }
failed_seq() { http /status 2>/dev/null | python3 -c 'import json,sys; print([r for r in json.load(sys.stdin)["replicas"] if r["name"] == "replica1"][0].get("failed_seq") or 0)' 2>/dev/null || echo 0; }
skipped=()
for round in 1 2; do
  ops_await 60 "replica1 stopped on a diverging row (round $round)" ops_replica_is replica1 error
  seq=$(failed_seq)
  [[ $seq =~ ^[0-9]+$ && $seq -gt 0 ]] || fail "replica1's /status names no failed transaction (round $round)"
  for s in "${skipped[@]}"; do [ "$s" != "$seq" ] || fail "replica1 failed again at journal seq $seq, which was skipped"; done
  "$vomsrepl" replica skip replica1 --seq "$seq" --config "$dir/vomsrepl.toml" > "$dir/replica-skip.txt" 2>&1 ||
    { cat "$dir/replica-skip.txt" >&2; fail "vomsrepl replica skip replica1 --seq $seq"; }
  skipped+=("$seq")
done
ops_converge 60
[ "$(ops_replica_state replica1)" = running ] || fail "replica1 is not running after skipping ${skipped[*]}"
[ "${skipped[0]}" -lt "${skipped[1]}" ] || fail "the two skips were not two transactions in source order: ${skipped[*]}"
# The two skipped transactions never reached replica1: its rows are still the hand-made ones.
[ "$(sql replica1 -e "SELECT GROUP_CONCAT(v, ' ', n ORDER BY id) FROM voms_otest.divergence_probe WHERE id IN (1, 3)")" = "one 71,three 73" ] ||
  fail "replica1's skipped rows changed"
sql replica1 -e "UPDATE voms_otest.divergence_probe SET v = 'one, again', n = 1 WHERE id = 1;
                 UPDATE voms_otest.divergence_probe SET v = 'three, again', n = 3 WHERE id = 3"
ops_check_equal 0
echo "$name: replica1 skipped journal seqs ${skipped[*]} of one group and went on"
ops_stop_daemon

echo "FIGURE: scenario=divergence injected=\"non-key column changed by hand on replica2, then updated on the master, workload running\" times=1 result=detected-and-repaired detect_ms=$detect_ms log_ms=$log_ms bound_ms=$bound_ms master_txns=$master_txns journaled=$journaled lost=0 duplicated=0"
