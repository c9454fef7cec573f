#!/usr/bin/env bash
# `vomsrepl switch-master` end to end (issue 10): the master is lost and the most
# advanced replica is promoted, against a real sandbox whose replicas keep a binlog:
#   * a workload is fed to both replicas; replica2's runner is then paused so that it
#     lags; the daemon is stopped and the master killed (lost);
#   * refused, each with its reason and exit 6: switch-master while the daemon runs (state
#     directory lock), promoting the lagging replica2 (it lacks journaled transactions),
#     replica2 as a master of the same GTID history (it lacks the master's GTIDs);
#   * `--check` on replica1 changes nothing; then replica1 is promoted;
#   * the old master back under the old config: the daemon refuses it (the journal now
#     follows replica1's server_id);
#   * new config (master = replica1, replica2 its only replica), replica1 made writable,
#     a workload on it: replica2 catches up from the journal, then follows the new master;
#     replica2 equals replica1 table by table, and the journal holds exactly the old
#     master's kept transactions plus the new master's (0 lost, 0 duplicated).
#
# usage: switch_master_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4" name=switch_master_test
# shellcheck source=ops_lib.sh
. "$(dirname "$0")/ops_lib.sh"

OPS_START_ARGS="--replica-option log_bin=replica-bin --replica-option binlog_format=ROW
  --replica-option binlog_row_image=FULL --replica-option binlog_row_metadata=FULL"
ops_setup
# The replication account on each replica (the promotion procedure: the same account as
# on the master, copied by its password hash through stdin, never argv).
sql master -e "SHOW CREATE USER 'vomsrepl_repl'@'127.0.0.1'" | sed 's/$/;/' > "$dir/repl-user.sql"
echo "GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'vomsrepl_repl'@'127.0.0.1';" >> "$dir/repl-user.sql"
for r in replica1 replica2; do
  "$sandbox" sql "$r" --dir "$dir" < "$dir/repl-user.sql" || fail "replication account on $r"
  rport=$(. "$dir/sandbox.env"; v="VOMSREPL_${r^^}_PORT"; echo "${!v}")
  (umask 077; sed "s/^port=.*/port=$rport/" "$dir/master/repl.cnf" > "$dir/$r/repl.cnf")
done
switch() { "$vomsrepl" switch-master --config "$dir/vomsrepl.toml" "$@"; }
expect6() {  # WHAT PATTERN -- command...
  local what=$1 pattern=$2 rc=0; shift 3
  "$@" > "$dir/out.txt" 2>&1 || rc=$?
  [ "$rc" -eq 6 ] && grep -Eq "$pattern" "$dir/out.txt" || { cat "$dir/out.txt"; fail "$what: exit $rc, want 6 and /$pattern/"; }
  echo "refused as expected ($what): $(grep -E "$pattern" "$dir/out.txt" | head -1 | cut -c1-220)"
}

ops_start_daemon
ops_workload 300 31
ops_converge 90
http_post /replica/replica2/stop >/dev/null || fail "POST stop"
# replica2 must lag: wait until its runner has stopped (after its current commit).
ops_await 30 "replica2 stopped" ops_replica_is replica2 stopped
ops_workload 100 32
want=$(sql master -e "SELECT @@gtid_binlog_pos")
r1_at_want() { [ "$(sql replica1 -e "SELECT gtid_state FROM vomsrepl.progress WHERE channel='replica1'")" = "$want" ]; }
ops_await 60 "replica1 at the master's position $want" r1_at_want
expect6 "daemon running" "daemon stopped|lock" -- switch --to replica1 --to-defaults-file "$dir/replica1/repl.cnf"
ops_stop_daemon
old_master_txns=$(( ${want##*-} - ${start_gtid##*-} ))
"$sandbox" stop-server master --kill --dir "$dir" >/dev/null 2>&1 || fail "kill the master"

expect6 "lagging replica" "replica replica2 has applied journal seq [0-9]+ but the journal holds $old_master_txns" -- \
  switch --to replica2 --to-defaults-file "$dir/replica2/repl.cnf"
expect6 "other GTID history" "does not hold every transaction|refuses to stream" -- \
  switch --to-defaults-file "$dir/replica2/repl.cnf"
switch --to replica1 --to-defaults-file "$dir/replica1/repl.cnf" --check > "$dir/check-switch.txt" 2>&1 ||
  { cat "$dir/check-switch.txt"; fail "switch-master --check"; }
grep -q "nothing written" "$dir/check-switch.txt" || { cat "$dir/check-switch.txt"; fail "--check output"; }
switch --to replica1 --to-defaults-file "$dir/replica1/repl.cnf" > "$dir/switch.txt" 2>&1 ||
  { cat "$dir/switch.txt"; fail "switch-master --to replica1"; }
cat "$dir/switch.txt"

# The old master back, the old config: refused (the journal follows replica1 now).
"$sandbox" start-server master --dir "$dir" >/dev/null 2>&1 || fail "restart the old master"
rc=0; timeout 60 "$vomsrepl" run --config "$dir/vomsrepl.toml" > "$dir/old.log" 2>&1 || rc=$?
[ "$rc" -eq 6 ] && grep -q "follows the master with server_id 2" "$dir/old.log" ||
  { tail -5 "$dir/old.log"; fail "daemon on the old master after switch-master: exit $rc, want 6"; }
echo "refused as expected (old master): $(grep -o 'has server_id 1, not 2.*' "$dir/old.log" | head -1 | cut -c1-200)"
"$sandbox" stop-server master --dir "$dir" >/dev/null 2>&1 || true

# The new topology.
python3 - "$dir/vomsrepl.toml" "$dir/replica1/repl.cnf" <<'PY'
import re, sys
path, cnf = sys.argv[1], sys.argv[2]
t = open(path).read()
t = re.sub(r'defaults_file = ".*/master/repl.cnf"', f'defaults_file = "{cnf}"', t)
t = re.sub(r'\[\[replica\]\]\nname = "replica1"\ndefaults_file = "[^"]*"\n', '', t)
open(path, "w").write(t)
PY
grep -q replica1/apply.cnf "$dir/vomsrepl.toml" && fail "replica1 still a replica in the config"
sql replica1 -e "SET GLOBAL read_only = OFF"
switch_gtid=$(sql replica1 -e "SELECT @@gtid_binlog_pos")
ops_start_daemon
"$repo/tools/voms-workload" --vo otest --transactions 200 --seed 33 --dir "$dir" \
  --defaults-file "$dir/replica1/reader.cnf" > /dev/null || fail "workload on the new master"
end_gtid=$(sql replica1 -e "SELECT @@gtid_binlog_pos")
new_master_txns=$(( ${end_gtid##*-} - ${switch_gtid##*-} ))
deadline=$(( $(date +%s) + 90 ))
until http /status > "$dir/status.json" 2>/dev/null && python3 - "$dir/status.json" "$end_gtid" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ok = d["source"].get("gtid_state") == sys.argv[2] and all(
    r["state"] == "running" and r["applied_seq"] == d["journal"]["last_seq"] for r in d["replicas"])
sys.exit(0 if ok else 1)
PY
do
  [ "$(date +%s)" -lt "$deadline" ] || { cat "$dir/status.json"; fail "replica2 did not converge on the new master"; }
  sleep 0.2
done
journaled=$(json "$dir/status.json" 'd["journal"]["last_seq"]')
[ "$journaled" -eq $(( old_master_txns + new_master_txns )) ] ||
  fail "journal holds $journaled, want $old_master_txns (old master) + $new_master_txns (new master)"
[ "$(checksums replica2 voms_otest)" = "$(checksums replica1 voms_otest)" ] || fail "replica2 differs from the new master"
ops_stop_daemon
echo "FIGURE: scenario=switch-master injected=\"master killed, lagging replica2, replica1 promoted\" times=1 old_master_txns=$old_master_txns new_master_txns=$new_master_txns journaled=$journaled lost=0 duplicated=0 result=converged"
echo "$name: ok"
