#!/usr/bin/env bash
# A journal that lost its unsynced tail (issue 6, exactly once; [journal] sync = periodic):
# an OS crash or power cut may take from the journal transactions that replicas had
# already applied. The test makes that state for real, on a sandbox of its own (master +
# 2 read-only replicas, VOMS workload): a copy of the state directory is taken while the
# daemon is stopped, the daemon then journals and applies more, and the older copy is put
# back, so both replicas' progress rows are beyond the journal's end.
#
#  1. Another history: restarted with a changed filter (a database the replicas never had
#     is now included, so every later seq names another source transaction), both
#     replicas stop with an error naming the seq and both source transactions, and
#     neither their progress row nor their tables change.
#  2. The same history: restarted with the original configuration, the feeder streams the
#     lost tail again from the master, each replica waits for it, finds its last seq to be
#     the same source transaction and continues; after more workload the replicas equal
#     the master and the journal holds one entry per kept master transaction (0 lost,
#     0 duplicated).
#
# usage: journal_tail_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4"
name="journal_tail"
source "$(dirname "$0")/ops_lib.sh"

ops_setup '[journal]
sync = "periodic"'
progress_seq() { sql "$1" -e "SELECT seq FROM vomsrepl.progress WHERE channel = '$1'"; }
progress_gtid() { sql "$1" -e "SELECT gtid FROM vomsrepl.progress WHERE channel = '$1'"; }
last_seq() { "$vomsrepl" status --state-dir "$dir/state" --format json > "$dir/state.json" || fail "vomsrepl status";
             json "$dir/state.json" 'd["journal"]["last_seq"]'; }

ops_start_daemon
ops_workload 60 1
ops_converge
ops_stop_daemon
early=$(last_seq)
cp -a "$dir/state" "$dir/state.early"

# More journaled and applied; one master transaction outside the filter in the middle.
ops_start_daemon
ops_workload 40 2
sql master -e "INSERT INTO notvoms.t VALUES (1)"
ops_workload 40 3
ops_converge
ops_stop_daemon
late=$(last_seq)
[ "$late" -gt "$early" ] || fail "the journal did not grow ($early -> $late)"
for r in replica1 replica2; do
  [ "$(progress_seq "$r")" -eq "$late" ] || fail "$r progress seq $(progress_seq "$r"), want $late"
done
want_gtid=$(progress_gtid replica1)
before_sums=$(checksums replica1 voms_otest)

# The lost tail: the journal as it was at seq $early, the replicas at $late.
lose_tail() { rm -rf "$dir/state"; cp -a "$dir/state.early" "$dir/state"; [ "$(last_seq)" -eq "$early" ] || fail "restore"; }

# 1. Another history.
lose_tail
sed 's/^include_databases = \["voms_\*"\]$/include_databases = ["voms_*", "notvoms"]/' "$dir/vomsrepl.toml" > "$dir/other.toml"
grep -q '"notvoms"' "$dir/other.toml" || fail "cannot change the filter in other.toml"
log0=$(wc -l < "$dir/run.log")
ops_start_daemon "$dir/other.toml"
stopped=0
for _ in $(seq 300); do
  if http /status > "$dir/status.json" 2>/dev/null &&
     [ "$(json "$dir/status.json" 'sum(r["state"] == "error" for r in d["replicas"])')" -eq 2 ]; then stopped=1; break; fi
  sleep 0.1
done
[ "$stopped" -eq 1 ] || { cat "$dir/status.json" >&2; fail "another history: the replicas did not stop"; }
for r in replica1 replica2; do
  err=$(json "$dir/status.json" "[x['last_error'] for x in d['replicas'] if x['name'] == '$r'][0]")
  for want in "has applied journal seq $late (source GTID $want_gtid" "before the journal lost its tail" \
              "the journal's seq $late is now source GTID" "another history"; do
    [[ $err == *"$want"* ]] || fail "another history: $r's error lacks '$want': $err"
  done
  [ "$(progress_seq "$r")" -eq "$late" ] || fail "another history: $r's progress row moved"
  [ "$(progress_gtid "$r")" = "$want_gtid" ] || fail "another history: $r's progress GTID changed"
done
tail -n +"$((log0 + 1))" "$dir/run.log" | grep -q "replica replica1: has applied journal seq $late .* but the journal ended at seq $early when it was opened" ||
  fail "another history: no warning that the replica is beyond the journal"
[ "$(checksums replica1 voms_otest)" = "$before_sums" ] || fail "another history: replica1's tables changed"
ops_stop_daemon
echo "$name: another history: both replicas stopped at seq $late, naming both source transactions; nothing applied"

# 2. The same history.
lose_tail
log0=$(wc -l < "$dir/run.log")
t0=$(now_ms)
ops_start_daemon
ops_converge 120
recover_ms=$(( $(now_ms) - t0 ))
tail -n +"$((log0 + 1))" "$dir/run.log" > "$dir/recover.log"
for r in replica1 replica2; do
  grep -q "replica $r: has applied journal seq $late .* but the journal ended at seq $early when it was opened" "$dir/recover.log" ||
    fail "same history: no warning for $r"
  grep -q "replica $r: the journal holds seq $late again, the same source transaction it applied; continuing" \
    "$dir/recover.log" || fail "same history: $r did not confirm seq $late"
done
ops_workload 30 4
ops_converge
ops_check_equal 1
for r in replica1 replica2; do
  [ "$(progress_seq "$r")" -eq "$journaled" ] || fail "$r progress seq $(progress_seq "$r"), journal ends at $journaled"
done
ops_stop_daemon
echo "FIGURE: scenario=journal-tail injected=\"journal tail lost (an older copy of the state directory put back under 2 replicas that applied more), once with another history (a changed filter), once with the same\" times=2 lost_seqs=$((late - early)) other_history=both_stopped recover_ms=$recover_ms master_txns=$master_txns journaled=$journaled lost=0 duplicated=0 result=converged"
echo "$name: same history: the journal streamed seqs $((early + 1))..$late again, both replicas continued after seq $late; $master_txns master transactions, $journaled journaled (1 outside the filter), tables equal"
