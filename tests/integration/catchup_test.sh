#!/usr/bin/env bash
# `vomsrepl catchup --until` end to end (issue 8) against a real sandbox (master + 2
# replicas) fed by `vomsrepl run`:
#   * replica2's runner is paused; three VOMS workloads run on the master (A, then a
#     time T, then B ending at GTID G2, then C ending at FILE:POS P3); CHECKSUM TABLE of
#     every table is taken on the master after A and after B (the master's state "as of"
#     those points);
#   * while replica2's runner is paused, catchup of replica1 (whose runner is active)
#     is refused: the channel lock;
#   * catchup replica2 --until T (time), then --until G2 (GTID), then --until P3
#     (FILE:POS), all from the journal: after each, replica2's tables equal the master's
#     snapshot at that point and its progress row stops exactly there (never beyond);
#     --plan prints the plan and applies nothing; a target already passed does nothing;
#   * the runner is started again: both replicas equal the master, the journal holds one
#     entry per kept transaction (0 lost, 0 duplicated);
#   * point-in-time recovery without a journal: a database restored on replica2 from a
#     "backup" (an initial copy with a progress row at the master's GTID then) is brought
#     to GTID GP1 from the master's binlog FILES (--from-files), then to the end from the
#     MASTER (catchup's own binlog stream): equal to the master's snapshot at GP1, then
#     to the master.
#
# usage: catchup_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4" name=catchup_test
# shellcheck source=ops_lib.sh
. "$(dirname "$0")/ops_lib.sh"

ops_setup
ops_start_daemon
http_post /replica/replica2/stop >/dev/null || fail "POST /replica/replica2/stop"
# The stop takes effect after the runner's current commit: wait for it before writing.
ops_await 30 "replica2 stopped" ops_replica_is replica2 stopped
catchup() { "$vomsrepl" catchup --config "$dir/vomsrepl.toml" --replica replica2 --wait-timeout 30 "$@"; }
progress() { sql "$1" -e "SELECT ${3:-gtid_state} FROM vomsrepl.progress WHERE channel = '$2'"; }

# The master's states as of the three targets.
ops_workload 200 11
snap_a=$(checksums master voms_otest)
gtid_a=$(sql master -e "SELECT @@gtid_binlog_pos")
sleep 1.2
until_time=$(date -u '+%Y-%m-%d %H:%M:%S')
sleep 1.2
ops_workload 200 12
snap_b=$(checksums master voms_otest)
gtid_b=$(sql master -e "SELECT @@gtid_binlog_pos")
ops_workload 200 13
read -r file3 pos3 < <(sql master -e "SHOW MASTER STATUS" | awk '{print $1, $2}')
gtid_c=$(sql master -e "SELECT @@gtid_binlog_pos")
[ "$snap_a" != "$snap_b" ] || fail "workload B changed nothing"

# The feeder journals everything; replica1 follows, replica2 stays where it was.
r1_at_c() { [ "$(progress replica1 replica1)" = "$gtid_c" ]; }
ops_await 60 "replica1 following the master to $gtid_c" r1_at_c
[ "$(progress replica2 replica2)" != "$gtid_a" ] || fail "replica2 moved while its runner was paused"

# The channel lock: replica1's runner holds it.
rc=0
"$vomsrepl" catchup --config "$dir/vomsrepl.toml" --replica replica1 --until "$gtid_c" > "$dir/locked.txt" 2>&1 || rc=$?
[ "$rc" -eq 6 ] && grep -q 'channel replica1 on this replica is held by `vomsrepl run`' "$dir/locked.txt" ||
  { cat "$dir/locked.txt"; fail "catchup of a replica fed by the running daemon: exit $rc, want 6"; }

# --plan applies nothing.
before=$(progress replica2 replica2 seq)
catchup --until "$gtid_b" --plan > "$dir/plan.txt" 2>&1 || { cat "$dir/plan.txt"; fail "catchup --plan"; }
grep -q "source:     the journal from seq $((before + 1))" "$dir/plan.txt" || { cat "$dir/plan.txt"; fail "plan"; }
[ "$(progress replica2 replica2 seq)" = "$before" ] || fail "--plan applied something"

# 1. Until a time: everything committed before it, nothing after.
catchup --until "$until_time" > "$dir/c1.txt" 2>&1 || { cat "$dir/c1.txt"; fail "catchup --until '$until_time'"; }
[ "$(checksums replica2 voms_otest)" = "$snap_a" ] || { cat "$dir/c1.txt"; fail "replica2 after --until time differs from the master as of $until_time"; }
[ "$(progress replica2 replica2)" = "$gtid_a" ] || fail "replica2 at $(progress replica2 replica2) after --until time, want $gtid_a"
# 2. Until a GTID (included).
catchup --until "$gtid_b" > "$dir/c2.txt" 2>&1 || { cat "$dir/c2.txt"; fail "catchup --until $gtid_b"; }
[ "$(checksums replica2 voms_otest)" = "$snap_b" ] || fail "replica2 after --until $gtid_b differs from the master as of it"
[ "$(progress replica2 replica2)" = "$gtid_b" ] || fail "replica2 at $(progress replica2 replica2), want $gtid_b"
grep -q "reached GTID $gtid_b from journal" "$dir/c2.txt" || { cat "$dir/c2.txt"; fail "result line"; }
# A target already passed: nothing to do, nothing changed.
catchup --until "$gtid_a" > "$dir/c-past.txt" 2>&1 || { cat "$dir/c-past.txt"; fail "catchup to a passed target"; }
grep -q "nothing to do" "$dir/c-past.txt" || { cat "$dir/c-past.txt"; fail "a passed target"; }
[ "$(progress replica2 replica2)" = "$gtid_b" ] || fail "a passed target moved replica2"
# 3. Until FILE:POS (the end of workload C).
catchup --until "$file3:$pos3" > "$dir/c3.txt" 2>&1 || { cat "$dir/c3.txt"; fail "catchup --until $file3:$pos3"; }
[ "$(progress replica2 replica2)" = "$gtid_c" ] || fail "replica2 at $(progress replica2 replica2) after --until $file3:$pos3, want $gtid_c"
[ "$(progress replica2 replica2 "CONCAT(file, ':', pos)")" = "$file3:$pos3" ] || fail "replica2 position"

# The runner goes on from where catchup left the replica: exactly once.
http_post /replica/replica2/start >/dev/null || fail "POST /replica/replica2/start"
ops_workload 100 14
ops_converge 90
ops_check_equal 0
grep -q "error" <(http /status | python3 -c 'import json,sys; print(" ".join(r["state"] for r in json.load(sys.stdin)["replicas"]))') &&
  fail "a runner is in error after catchup"
ops_stop_daemon
journal_figure="master_txns=$master_txns journaled=$journaled"

# Point-in-time recovery of a restored database, no journal: from files, then from the master.
"$sandbox" load-voms --vo pitr --skip-binlog --also-replicas --dir "$dir" >/dev/null 2>&1 || fail "load-voms pitr"
backup_gtid=$(sql master -e "SELECT @@gtid_binlog_pos")
sql replica2 -e "INSERT INTO vomsrepl.progress (channel, seq, gtid, gtid_state, file, pos)
                 VALUES ('pitr', 0, '', '$backup_gtid', '', 0)"
"$repo/tools/voms-workload" --vo pitr --transactions 150 --seed 21 --dir "$dir" > /dev/null
snap_p1=$(checksums master voms_pitr)
gtid_p1=$(sql master -e "SELECT @@gtid_binlog_pos")
"$repo/tools/voms-workload" --vo pitr --transactions 150 --seed 22 --dir "$dir" > /dev/null
cat > "$dir/pitr.toml" <<EOF
state_dir = "$dir/state-pitr"
[master]
defaults_file = "$dir/master/repl.cnf"
server_id = 4291
[filter]
include_databases = ["voms_pitr"]
[[replica]]
name = "pitr"
defaults_file = "$dir/replica2/apply.cnf"
EOF
binlog_dir=$(. "$dir/sandbox.env"; echo "$VOMSREPL_MASTER_BINLOG_DIR")
mapfile -t binlogs < <(ls "$binlog_dir"/master-bin.[0-9]* | sort)
"$vomsrepl" catchup --config "$dir/pitr.toml" --replica pitr --until "$gtid_p1" --from-files "${binlogs[@]}" \
  > "$dir/p1.txt" 2>&1 || { cat "$dir/p1.txt"; fail "catchup --from-files"; }
grep -q "binlog file(s) from" "$dir/p1.txt" || { cat "$dir/p1.txt"; fail "plan: files"; }
[ "$(checksums replica2 voms_pitr)" = "$snap_p1" ] || { cat "$dir/p1.txt"; fail "voms_pitr after --from-files --until $gtid_p1 differs from the master as of it"; }
[ "$(progress replica2 pitr)" = "$gtid_p1" ] || fail "pitr at $(progress replica2 pitr), want $gtid_p1"
gtid_end=$(sql master -e "SELECT @@gtid_binlog_pos")
"$vomsrepl" catchup --config "$dir/pitr.toml" --replica pitr --until "$gtid_end" > "$dir/p2.txt" 2>&1 ||
  { cat "$dir/p2.txt"; fail "catchup from the master"; }
grep -q "source:     the master's binlog after GTID $gtid_p1" "$dir/p2.txt" || { cat "$dir/p2.txt"; fail "plan: master"; }
[ "$(checksums replica2 voms_pitr)" = "$(checksums master voms_pitr)" ] || fail "voms_pitr after catchup from the master differs"
[ "$(progress replica2 pitr)" = "$gtid_end" ] || fail "pitr at $(progress replica2 pitr), want $gtid_end"
# The estimate of the next plan comes from the measured rate.
"$vomsrepl" catchup --config "$dir/pitr.toml" --replica pitr --until "$gtid_end" --plan > "$dir/p3.txt" 2>&1 || true
# A bad target is a usage error.
rc=0; catchup --until "next tuesday" > "$dir/bad.txt" 2>&1 || rc=$?
[ "$rc" -eq 2 ] && grep -q "YYYY-MM-DD HH:MM:SS" "$dir/bad.txt" || { cat "$dir/bad.txt"; fail "bad --until: exit $rc, want 2"; }

for f in c1 c2 p1 p2 p3 locked; do echo "--- $f"; cat "$dir/$f.txt"; done
echo "FIGURE: scenario=catchup injected=\"replica paused; catchup to a time, a GTID, a FILE:POS; PITR from files and master\" times=5 $journal_figure result=converged"
echo "$name: ok"
