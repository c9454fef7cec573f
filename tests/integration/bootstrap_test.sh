#!/usr/bin/env bash
# `vomsrepl bootstrap` end to end (issue 8) against a real sandbox (master + 2 replicas)
# fed by `vomsrepl run`:
#   * voms_bt exists on the master only (loaded outside the binlog); both replicas'
#     runners are stopped (POST /replica/NAME/stop) before a VOMS workload starts;
#   * replica1 is bootstrapped WHILE the workload runs (2 sessions sharing one snapshot),
#     replica2 after it; each runner is started again and continues from the progress
#     row the bootstrap wrote (the journal seq of the snapshot position);
#   * then `vomsrepl verify` finds 0 differences on both (no gap, no overlap: a missing
#     or doubled transaction would show as missing/extra/different keys or stop the
#     runner on a duplicate key), both progress rows reach the master's GTID;
#   * a second bootstrap into the now non-empty database is refused (exit 6).
# Never success on nothing (issue 21, item 2), each refusal with exit 6 and nothing
# created on the replica: bootstrap while the daemon's runner feeds the replica (the
# channel lock, naming `vomsrepl run`), of a database the master does not have, and
# through the replication account (no SELECT); verify through the replication account,
# with a --db or a --table that matches nothing, and of a database the replica does not
# have. The
# read account comes from the config key [master] read_defaults_file (no flag).
#
# usage: bootstrap_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4"
name="bootstrap_test"
# shellcheck source=ops_lib.sh
source "$(dirname "$0")/ops_lib.sh"
trap ops_cleanup EXIT  # the daemon, the workload ($bg_pid) and the sandbox

"$sandbox" stop --dir "$dir" --purge >/dev/null 2>&1 || true
"$sandbox" start --replicas 2 --dir "$dir" >/dev/null 2>&1
"$sandbox" load-voms --vo bt --skip-binlog --dir "$dir" >/dev/null 2>&1

start_gtid=$(sql master -e "SELECT @@gtid_binlog_pos")
ops_config 4271 master "read_defaults_file = \"$dir/master/app.cnf\""
ops_start_daemon  # once /health answers
"$vomsrepl" check-config --config "$dir/vomsrepl.toml" > "$dir/check.txt" 2>&1 || true
grep -q "^ok   master read account ($dir/master/app.cnf)" "$dir/check.txt" || { cat "$dir/check.txt"; fail "check-config did not check [master] read_defaults_file"; }

bootstrap() {
  "$vomsrepl" bootstrap --config "$dir/vomsrepl.toml" --db voms_bt "$@"
}
# expect_refusal FILE GREP-PATTERN WHAT COMMAND...: exit 6 and the message.
expect_refusal() {
  local out=$1 pattern=$2 what=$3 rc=0
  shift 3
  "$@" > "$out" 2>&1 || rc=$?
  [ "$rc" -eq 6 ] && grep -q -- "$pattern" "$out" || { cat "$out"; fail "$what: exit $rc, want 6 and '$pattern'"; }
}
no_database() { [ -z "$(sql "$1" -e "SHOW DATABASES LIKE '$2'")" ] || fail "$3 created database $2 on $1"; }
await 60 "replica1's runner running" ops_replica_is replica1 running
expect_refusal "$dir/boot-locked.txt" 'held by `vomsrepl run`' "bootstrap while the runner feeds replica1" \
  bootstrap --replica replica1
grep -q "vomsrepl replica stop replica1" "$dir/boot-locked.txt" || { cat "$dir/boot-locked.txt"; fail "the refusal does not say how to pause the runner"; }
no_database replica1 voms_bt "a bootstrap refused for the channel lock"

for r in replica1 replica2; do http_post "/replica/$r/stop" >/dev/null || fail "POST /replica/$r/stop"; done
# A stop is asynchronous: the runner lets go of its session (and the channel lock) once
# its current group is done.
for r in replica1 replica2; do await 60 "$r's runner stopped" ops_replica_is "$r" stopped; done

expect_refusal "$dir/boot-missing.txt" "shows no database voms_nonexistent" "bootstrap of a database the master lacks" \
  "$vomsrepl" bootstrap --config "$dir/vomsrepl.toml" --replica replica1 --db voms_nonexistent
grep -q "Nothing was created on replica replica1" "$dir/boot-missing.txt" || fail "the refusal does not say that nothing was created"
no_database replica1 voms_nonexistent "bootstrap --db voms_nonexistent"
expect_refusal "$dir/boot-repl.txt" "shows no database voms_bt" "bootstrap through the replication account" \
  bootstrap --replica replica1 --master-defaults-file "$dir/master/repl.cnf"
no_database replica1 voms_bt "a bootstrap through the replication account"
"$repo/tools/voms-workload" --vo bt --transactions 3000 --seed 5 --dir "$dir" > "$dir/workload.log" 2>&1 &
bg_pid=$!
# Bootstrap only once the workload commits (its start-up takes seconds on a loaded machine):
# the snapshot must fall inside the workload.
committing() { [ "$(sql master -e "SELECT @@gtid_binlog_pos")" != "$start_gtid" ]; }
await 60 "the workload's first commit" committing
bootstrap --replica replica1 --threads 2 > "$dir/boot1.txt" 2> "$dir/boot1.err" || { cat "$dir/boot1.txt" "$dir/boot1.err"; fail "bootstrap replica1"; }
kill -0 "$bg_pid" 2>/dev/null || echo "bootstrap_test: warning: the workload ended before the bootstrap did" >&2
http_post /replica/replica1/start >/dev/null || fail "POST /replica/replica1/start"
wait "$bg_pid" || fail "workload failed"
bg_pid=""
bootstrap --replica replica2 --as voms_bt --threads 3 > "$dir/boot2.txt" 2> "$dir/boot2.err" || { cat "$dir/boot2.txt" "$dir/boot2.err"; fail "bootstrap replica2"; }
http_post /replica/replica2/start >/dev/null || fail "POST /replica/replica2/start"
grep -q "shared by 2 sessions" "$dir/boot1.txt" || fail "replica1: snapshot not shared by 2 sessions: $(cat "$dir/boot1.txt")"
seq1=$(sed -n 's/.*progress set to journal seq \([0-9]*\).*/\1/p' "$dir/boot1.txt")
[ -n "$seq1" ] && [ "$seq1" -gt 0 ] || fail "replica1 bootstrapped at journal seq '$seq1' (the workload was running: want > 0)"

# Identical, at the same source position.
rc=0; "$vomsrepl" verify --config "$dir/vomsrepl.toml" > "$dir/verify.txt" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || { cat "$dir/verify.txt" "$dir/boot1.txt"; fail "verify after bootstrap: exit $rc"; }
master_gtid=$(sql master -e "SELECT @@gtid_binlog_pos")
for r in replica1 replica2; do
  at_master() { [ "$(progress_state "$r")" = "$master_gtid" ]; }
  await 60 "$r's progress row at the master's $master_gtid" at_master
  got=$(progress_state "$r")
  [ "$got" = "$master_gtid" ] || fail "$r progress gtid_state $got, master $master_gtid"
  rows_m=$(sql master -e "SELECT COUNT(*) FROM voms_bt.usr")
  rows_r=$(sql "$r" -e "SELECT COUNT(*) FROM voms_bt.usr")
  [ "$rows_m" = "$rows_r" ] || fail "$r usr rows $rows_r, master $rows_m"
done
grep -q "error" <(http /status | python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(r["state"] for r in d["replicas"]))') \
  && fail "a runner is in error after the bootstrap"

rc=0; bootstrap --replica replica1 > "$dir/boot3.txt" 2>&1 || rc=$?
[ "$rc" -eq 6 ] && grep -q "already holds" "$dir/boot3.txt" || { cat "$dir/boot3.txt"; fail "second bootstrap: exit $rc, want 6"; }

verify() { "$vomsrepl" verify --config "$dir/vomsrepl.toml" "$@"; }
expect_refusal "$dir/verify-repl.txt" "no database to compare" "verify through the replication account" \
  verify --master-defaults-file "$dir/master/repl.cnf"
expect_refusal "$dir/verify-nodb.txt" "db voms_nothere matches no database" "verify --db voms_nothere" \
  verify --db voms_nothere
expect_refusal "$dir/verify-notable.txt" "no table to compare" "verify --table matching nothing" \
  verify --db voms_bt --table no_such_table
sql master -e "SET sql_log_bin = 0; CREATE DATABASE voms_onlymaster; CREATE TABLE voms_onlymaster.t (id INT PRIMARY KEY)"
expect_refusal "$dir/verify-norep.txt" "replica shows no table in voms_onlymaster" "verify of a database the replicas lack" \
  verify --db voms_onlymaster
grep -q "vomsrepl bootstrap --replica replica1 --db voms_onlymaster" "$dir/verify-norep.txt" || fail "verify does not name the bootstrap that fills the replica"

kill -TERM "$daemon_pid"; wait "$daemon_pid" || true; daemon_pid=""
echo "bootstrap_test: ok ($(cat "$dir/boot1.txt" | cut -c1-160))"
