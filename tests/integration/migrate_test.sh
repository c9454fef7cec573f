#!/usr/bin/env bash
# Migrating a site from the built-in replica threads to vomsrepl without a gap (issue 10,
# docs/voms-guide.md section 11), against a real sandbox:
#   * both replicas replicate voms_otest with the built-in threads, as MAN07 sets them up
#     (CHANGE MASTER ... MASTER_USE_GTID=slave_pos, replicate_do_db), while a VOMS workload
#     runs on the master and keeps running through the whole migration;
#   * the migration: every replica's built-in threads stopped, X = the most advanced
#     replica's GTID position; each replica runs until exactly X (START SLAVE UNTIL
#     master_gtid_pos), then the threads are removed (RESET SLAVE ALL); `vomsrepl run`
#     starts with [master] start = "gtid:X";
#   * afterwards both replicas equal the master table by table, and the journal holds
#     exactly the master's transactions after X (0 lost, 0 duplicated), although the
#     workload never paused.
#
# usage: migrate_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4" name=migrate_test
# shellcheck source=ops_lib.sh
. "$(dirname "$0")/ops_lib.sh"

ops_setup
master_port=$(sed -n 's/^port=//p' "$dir/master/repl.cnf")
repl_user=$(sed -n 's/^user=//p' "$dir/master/repl.cnf")
repl_pw=$(sed -n 's/^password=//p' "$dir/master/repl.cnf")
for r in replica1 replica2; do
  # The built-in replica of today (its password on the client's stdin, never argv).
  sql "$r" <<SQL || fail "built-in replication on $r"
SET GLOBAL replicate_do_db = 'voms_otest';
SET GLOBAL gtid_slave_pos = '$start_gtid';
CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$master_port, MASTER_USER='$repl_user',
  MASTER_PASSWORD='$repl_pw', MASTER_USE_GTID=slave_pos;
START SLAVE;
SQL
done
unset repl_pw
# One writer at a time: two concurrent workload clients can deadlock each other (1213),
# and voms-workload, like a batch client, stops at the first error.
ops_workload 100 40
ops_bg_start 41
for r in replica1 replica2; do
  [ "$(sql "$r" -e "SELECT MASTER_GTID_WAIT('$(sql master -e "SELECT @@gtid_binlog_pos")', 60)")" = 0 ] ||
    fail "the built-in replica $r does not follow the master"
done

# The migration, under load. Stop every replica first, X = the most advanced one's position
# (a position picked on the master could already be behind a fast replica), then each
# replica runs until exactly X.
x=""
for r in replica1 replica2; do
  sql "$r" -e "STOP SLAVE"
  p=$(sql "$r" -e "SELECT @@gtid_slave_pos")
  if [ -z "$x" ] || [ "${p##*-}" -gt "${x##*-}" ]; then x=$p; fi
done
for r in replica1 replica2; do
  sql "$r" -e "START SLAVE UNTIL master_gtid_pos = '$x'"
done
for r in replica1 replica2; do
  [ "$(sql "$r" -e "SELECT MASTER_GTID_WAIT('$x', 60)")" = 0 ] || fail "$r did not reach $x"
  sql "$r" -e "STOP SLAVE; RESET SLAVE ALL; SET GLOBAL replicate_do_db = ''"
  [ "$(sql "$r" -e "SELECT @@gtid_slave_pos")" = "$x" ] || fail "$r stopped at $(sql "$r" -e "SELECT @@gtid_slave_pos"), not $x"
done
sed -i "s/^start = \"gtid:.*\"/start = \"gtid:$x\"/" "$dir/vomsrepl.toml"
grep -q "start = \"gtid:$x\"" "$dir/vomsrepl.toml" || fail "config start"
ops_start_daemon
# The workload goes on past X (waited for: it must commit after the switch).
past_x() { local g; g=$(sql master -e "SELECT @@gtid_binlog_pos"); [ "${g##*-}" -gt "${x##*-}" ]; }
ops_await 60 "master transactions after $x" past_x
sleep 3
ops_bg_stop
ops_converge 90
end_gtid=$(sql master -e "SELECT @@gtid_binlog_pos")
after_x=$(( ${end_gtid##*-} - ${x##*-} ))
journaled=$(json "$dir/status.json" 'd["journal"]["last_seq"]')
[ "$after_x" -gt 0 ] || fail "the workload ended before the migration"
[ "$journaled" -eq "$after_x" ] || fail "journal holds $journaled, the master committed $after_x transactions after $x"
m=$(checksums master voms_otest)
for r in replica1 replica2; do
  [ "$(checksums "$r" voms_otest)" = "$m" ] || fail "$r differs from the master after the migration"
  [ -z "$(sql "$r" -e "SHOW SLAVE STATUS")" ] || fail "$r still has built-in replication configured"
done
ops_stop_daemon
echo "FIGURE: scenario=migrate-from-built-in injected=\"built-in replicas stopped at one GTID under load, vomsrepl started there\" times=1 master_txns_after_switch=$after_x journaled=$journaled lost=0 duplicated=0 result=converged"
echo "$name: ok"
