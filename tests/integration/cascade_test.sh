#!/usr/bin/env bash
# Sites far from the master, cascading (issue 24, item 5), on a sandbox of its own:
# master + 3 read-only replicas that keep a binlog (log_bin, ROW, gtid_strict_mode).
#
#   master --feeder A--> replica1 (preserve_gtid: the master's GTIDs in its binlog), replica2
#   replica1 --feeder B--> replica3 (B reads replica1's binlog as it would read a master)
#
#   1. A VOMS workload on the master reaches replica3 through replica1.
#   2. Feeder A is killed (SIGKILL) under load and started again; replica3 still converges.
#   3. replica1 goes away (its server stopped): feeder B is stopped and moved to the master
#      by GTID (`vomsrepl switch-master` without --to: a server of the same GTID
#      history), its config pointed at the master; more workload; replica3 converges.
#   4. replica3 equals the master table by table; feeder B's journal holds each kept
#      master transaction once (its seqs: the transactions it read through replica1, then
#      from the master), 0 lost, 0 duplicated.
#
# usage: cascade_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4"
name=cascade
source "$(dirname "$0")/ops_lib.sh"

OPS_START_ARGS="--replicas 3 --replica-option log_bin=replica-bin --replica-option binlog_format=ROW"
ops_setup
python3 - "$dir/vomsrepl.toml" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
anchor = 'name = "replica1"\n'
s = s.replace(anchor, anchor + 'preserve_gtid = true\n', 1)
open(p, "w").write(s)
PY
# replica1 logs the master's GTIDs: its own set-up writes (domain 0) go, as in the guide.
sql replica1 -e "RESET MASTER; GRANT BINLOG REPLAY ON *.* TO 'vomsrepl_apply'@'127.0.0.1'"
# The replication account on replica1, for feeder B (copied by its hash through stdin).
sql master -e "SHOW CREATE USER 'vomsrepl_repl'@'127.0.0.1'" | sed 's/$/;/' > "$dir/repl-user.sql"
echo "GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'vomsrepl_repl'@'127.0.0.1';" >> "$dir/repl-user.sql"
(echo "SET sql_log_bin = 0;"; cat "$dir/repl-user.sql") | "$sandbox" sql replica1 --dir "$dir" || fail "replication account on replica1"
r1port=$(. "$dir/sandbox.env"; echo "$VOMSREPL_REPLICA1_PORT")
(umask 077; sed "s/^port=.*/port=$r1port/" "$dir/master/repl.cnf" > "$dir/replica1-repl.cnf")

# Feeder B: reads replica1, feeds replica3.
portB=$("$repo/tools/free-port")
cat > "$dir/feederB.toml" <<EOF2
state_dir = "$dir/stateB"
[master]
defaults_file = "$dir/replica1-repl.cnf"
server_id = 4271
start = "oldest"
heartbeat_ms = 500
read_timeout_s = 3
[filter]
include_databases = ["voms_*"]
[[replica]]
name = "replica3"
defaults_file = "$dir/replica3/apply.cnf"
[http]
listen = "127.0.0.1:$portB"
EOF2
"$vomsrepl" check-config --config "$dir/feederB.toml" > "$dir/checkB.txt" 2>&1 || { cat "$dir/checkB.txt"; fail "check-config of feeder B"; }
fail_logs+=("$dir/runB.log")
start_b() {
  "$vomsrepl" run --config "$dir/feederB.toml" >> "$dir/runB.log" 2>&1 &
  pid_b=$!
  cleanup_pids+=("$pid_b")
}
hb() { curl -sf --max-time 5 -H "Authorization: Bearer $(cat "$dir/stateB/http.token" 2>/dev/null)" "http://127.0.0.1:$portB$1"; }
replica3_equal() {
  [ "$(checksums replica3 voms_otest)" = "$(checksums master voms_otest)" ]
}

ops_start_daemon
start_b
await 60 "feeder B answering" hb /health
ops_workload 100 501
await 120 "replica3 equal to the master through replica1" replica3_equal
echo "$name: replica3 equals the master through replica1 (master -> A -> replica1 -> B -> replica3)"

# 2. Feeder A killed under load, started again.
ops_bg_start 600
sleep 2
kill -9 "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true
daemon_pid=""
sleep 1
ops_start_daemon
sleep 3
ops_bg_stop
ops_converge 120
await 120 "replica3 equal to the master after feeder A's kill" replica3_equal
echo "$name: feeder A killed and restarted under load; replica3 equal"

# 3. replica1 goes away: feeder B moves to the master by GTID.
ops_stop_daemon
ops_server stop replica1
kill -TERM "$pid_b"; wait "$pid_b" || fail "feeder B did not stop cleanly"
"$vomsrepl" switch-master --config "$dir/feederB.toml" --to-defaults-file "$dir/master/repl.cnf" > "$dir/switch.txt" 2>&1 ||
  { cat "$dir/switch.txt"; fail "switch-master of feeder B to the master"; }
cat "$dir/switch.txt"
sed -i "s#^defaults_file = \"$dir/replica1-repl.cnf\"#defaults_file = \"$dir/master/repl.cnf\"#" "$dir/feederB.toml"
grep -q "defaults_file = \"$dir/master/repl.cnf\"" "$dir/feederB.toml" || fail "could not point feeder B at the master"
start_b
await 60 "feeder B answering after the switch" hb /health
ops_workload 100 701
await 120 "replica3 equal to the master after the switch" replica3_equal

# 4. Feeder B's journal: one seq per kept master transaction.
master_txns=$(( $(sql master -e "SELECT @@gtid_binlog_pos" | sed 's/.*-//') - ${start_gtid##*-} ))
b_last=$(hb /status | python3 -c 'import json,sys; print(json.load(sys.stdin)["journal"]["last_seq"])')
[ "$b_last" -eq "$master_txns" ] || fail "feeder B journaled $b_last transactions, the master committed $master_txns"
echo "$name: ok: $master_txns master transactions reached replica3 through replica1 and then from the master; feeder B journaled $b_last"
echo "FIGURE: scenario=cascade injected=\"master -> feeder A -> replica1 (preserve_gtid) -> feeder B -> replica3; feeder A SIGKILL under load; replica1 lost, feeder B moved to the master with switch-master\" times=2 master_txns=$master_txns journaled=$b_last lost=0 duplicated=0 result=converged"
