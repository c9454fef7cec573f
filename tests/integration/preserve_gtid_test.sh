#!/usr/bin/env bash
# preserve_gtid (issue 6 item 5), on a sandbox of its own: master + 2 read-only replicas
# that keep a binlog (log_bin, ROW, gtid_strict_mode=ON as tools/sandbox sets it).
# replica1 has `preserve_gtid = true` and 2 connections, replica2 the default.
#
#   1. check-config refuses replica1 while its apply account lacks BINLOG REPLAY, naming
#      the GRANT; after the GRANT it passes;
#   2. replica1's binlog holds its own writes in domain 0 (the sandbox's account set-up
#      and the initial copy, 0-2-N): gtid_strict_mode refuses the master's lower
#      sequence numbers, and replica1 stops with an error saying so (nothing applied,
#      nothing logged in domain 0), while replica2 applies; after RESET MASTER on
#      replica1 and `vomsrepl replica start replica1` it converges;
#   3. a DDL with the daemon killed right after it ran on replica1 (crash point
#      replica.replica1.after_ddl): on restart the replica's binlog shows the DDL's GTID
#      and it is not run again;
#   4. a VOMS workload with more DDL, a transaction outside the filter and two kill -9 of
#      the daemon at random moments;
#   5. afterwards: replica1's domain-0 GTIDs, in binlog order, are exactly the master's
#      kept GTIDs since the start, in the same order (each once: 0 lost, 0 duplicated,
#      the filtered one absent); @@gtid_binlog_pos agrees for domain 0; vomsrepl's own
#      writes are in the state domain 424242 under replica1's server_id; replica2 logged
#      its transactions under its own server_id, none under the master's; every table
#      equals the master's.
#
# About 2 minutes; in CI (label integration;fault).
# usage: preserve_gtid_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4"
name="preserve_gtid"
source "$(dirname "$0")/ops_lib.sh"

OPS_START_ARGS="--replica-option log_bin=replica-bin --replica-option binlog_format=ROW"
ops_setup
for r in replica1 replica2; do
  [ "$(sql $r -e "SELECT @@log_bin, @@gtid_strict_mode")" = "$(printf '1\t1')" ] || fail "$r keeps no binlog in strict mode"
done
local_pos=$(sql replica1 -e "SELECT @@gtid_binlog_pos")
[[ $local_pos == 0-2-* ]] || fail "expected local writes of replica1 in domain 0, its binlog is at '$local_pos'"
echo "$name: replica1's binlog holds its own writes: $local_pos"

# 1. preserve_gtid on replica1 (and 2 connections): the apply account lacks BINLOG REPLAY.
python3 - "$dir/vomsrepl.toml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
anchor = 'name = "replica1"\n'
assert anchor in s
s = s.replace(anchor, anchor + 'preserve_gtid = true\nworkers = 2\n', 1)
open(p, "w").write(s)
PY
rc=0
"$vomsrepl" check-config --config "$dir/vomsrepl.toml" > "$dir/check1.txt" 2>&1 || rc=$?
[ "$rc" -ne 0 ] || { cat "$dir/check1.txt"; fail "check-config accepted replica1 without BINLOG REPLAY"; }
grep -q "FAIL replica replica1: .*GRANT BINLOG REPLAY ON \*\.\* TO vomsrepl_apply@127.0.0.1" "$dir/check1.txt" ||
  { cat "$dir/check1.txt"; fail "check-config does not name the missing GRANT"; }
grep -q "FAIL replica replica2" "$dir/check1.txt" && fail "check-config refused replica2"
echo "$name: check-config: $(grep 'FAIL replica replica1' "$dir/check1.txt" | cut -c1-160)..."
sql replica1 -e "GRANT BINLOG REPLAY ON *.* TO 'vomsrepl_apply'@'127.0.0.1'"
"$vomsrepl" check-config --config "$dir/vomsrepl.toml" > "$dir/check2.txt" 2>&1 ||
  { cat "$dir/check2.txt"; fail "check-config refused replica1 after the GRANT"; }
grep -q "source GTIDs preserved (own writes in GTID domain 424242)" "$dir/check2.txt" ||
  { cat "$dir/check2.txt"; fail "check-config does not describe preserve_gtid"; }

# 2. Strict mode refuses the master's GTIDs on replica1 while its own are higher.
ops_start_daemon
ops_workload 100 1
replica1_state() { http /status | python3 -c 'import json,sys; r=json.load(sys.stdin)["replicas"][0]; print(r["state"]); print(r.get("last_error",""))'; }
for _ in $(seq 300); do
  st=$(replica1_state 2>/dev/null || true)
  [[ $st == error* ]] && break
  sleep 0.1
done
[[ $st == error* ]] || fail "replica1 did not stop on the strict-mode conflict (state: $st)"
err=$(echo "$st" | sed -n 2p)
for want in "already holds a GTID of domain 0" "gtid_strict_mode refuses 0-1-" "RESET MASTER" "journal seq 1"; do
  [[ $err == *"$want"* ]] || fail "replica1's error lacks '$want': $err"
done
echo "$name: replica1 stopped: ${err:0:200}..."
[ "$(sql replica1 -e "SELECT @@gtid_binlog_pos")" != "" ] || fail "replica1 lost its binlog"
[[ $(sql replica1 -e "SELECT @@gtid_binlog_pos") != *0-1-* ]] || fail "replica1 logged a master GTID before the stop"
[ "$(sql replica1 -e "SELECT COUNT(*) FROM vomsrepl.progress WHERE seq > 0")" = 0 ] || fail "replica1 applied something"
sql replica1 -e "RESET MASTER"
"$vomsrepl" replica start replica1 --config "$dir/vomsrepl.toml" > /dev/null || fail "replica start replica1"
ops_converge 120
[[ $(sql replica1 -e "SELECT @@gtid_binlog_pos") == *0-1-* ]] || fail "replica1 logged no master GTID"

# 3. A DDL, and the daemon killed right after it ran on replica1.
ops_stop_daemon
VOMSREPL_CRASH_AT=replica.replica1.after_ddl ops_start_daemon
sql master -e "CREATE TABLE voms_otest.gtid_probe (id INT PRIMARY KEY, v VARCHAR(20))"
ddl_gtid=$(sql master -e "SELECT @@gtid_binlog_pos")
rc=0
for _ in $(seq 300); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
wait "$daemon_pid" || rc=$?
daemon_pid=""
[ "$rc" -eq 137 ] || fail "the daemon did not die at the crash point (exit $rc)"
grep -q "crash point replica.replica1.after_ddl reached" "$dir/run.log" || fail "no crash point line in the log"
[[ $(sql replica1 -e "SELECT @@gtid_binlog_pos") == *"$ddl_gtid"* ]] || fail "replica1's binlog lacks the DDL's GTID $ddl_gtid"
[ -n "$(sql replica1 -e "SELECT ddl_seq_pending FROM vomsrepl.progress WHERE channel = 'replica1'")" ] ||
  fail "replica1's progress row has no pending DDL after the crash"
ops_start_daemon
ops_converge 60
grep -q "replica1: DDL of journal seq [0-9]* was already applied before a stop (its GTID $ddl_gtid is in the replica's binlog)" \
  "$dir/run.log" || fail "no log line saying the DDL's GTID was found in replica1's binlog"

# 4. Workload, DDL, a transaction outside the filter, two kill -9 at random moments.
sql master -e "INSERT INTO voms_otest.gtid_probe VALUES (1, 'one'), (2, 'two')"
skipped_gtid=$(sql master -e "INSERT INTO notvoms.t VALUES (1); SELECT @@last_gtid")
sql master -e "ALTER TABLE voms_otest.gtid_probe ADD COLUMN n INT NOT NULL DEFAULT 7"
ops_bg_start 100
for k in 1 2; do
  sleep "$(python3 -c 'import random; print(round(random.uniform(1.0, 4.0), 2))')"
  kill -9 "$daemon_pid"
  wait "$daemon_pid" 2>/dev/null || true
  daemon_pid=""
  echo "$name: kill -9 of the daemon #$k"
  ops_start_daemon
done
# At least 300 kept master transactions in the end (checked below): the workload runs
# until the master has committed them (waited for), not for a fixed time.
enough_txns() { local g; g=$(sql master -e "SELECT @@gtid_binlog_pos"); [ "${g##*-}" -ge $(( ${start_gtid##*-} + 301 )) ]; }
ops_await 300 "300 master transactions since the start" enough_txns
ops_bg_stop
sql master -e "UPDATE voms_otest.gtid_probe SET n = n + 1"
ops_converge 180

# 5. The GTIDs in the binlogs.
gtids() {  # SERVER: every GTID of the server's binlogs, in order
  local f
  for f in $(sql "$1" -e "SHOW BINARY LOGS" | cut -f1); do
    sql "$1" -e "SHOW BINLOG EVENTS IN '$f'" | awk -F'\t' '$3 == "Gtid" { print $6 }'
  done | sed -E 's/^(BEGIN )?GTID ([0-9]+-[0-9]+-[0-9]+).*$/\2/'
}
start_seq=${start_gtid##*-}
gtids master | awk -F- -v s="$start_seq" -v skip="$skipped_gtid" '$1 == 0 && $3 > s && $0 != skip' > "$dir/master.gtids"
gtids replica1 > "$dir/replica1.all.gtids"
gtids replica2 > "$dir/replica2.all.gtids"
awk -F- '$1 == 0' "$dir/replica1.all.gtids" > "$dir/replica1.gtids"
n=$(wc -l < "$dir/master.gtids")
[ "$n" -ge 300 ] || fail "expected at least 300 kept master transactions, got $n"
grep -qxF "$skipped_gtid" "$dir/replica1.gtids" && fail "replica1 logged $skipped_gtid, outside the filter"
if ! cmp -s "$dir/master.gtids" "$dir/replica1.gtids"; then
  diff "$dir/master.gtids" "$dir/replica1.gtids" | head -20 >&2
  fail "replica1's domain-0 GTIDs differ from the master's kept ones ($n on the master, $(wc -l < "$dir/replica1.gtids") on replica1)"
fi
dups=$(sort "$dir/replica1.all.gtids" | uniq -d | wc -l)
[ "$dups" -eq 0 ] || fail "$dups GTIDs twice in replica1's binlog"
m_pos=$(sql master -e "SELECT @@gtid_binlog_pos")
r_pos=$(sql replica1 -e "SELECT @@gtid_binlog_pos")
[[ ",$r_pos," == *",$m_pos,"* ]] || fail "replica1's gtid_binlog_pos '$r_pos' lacks the master's '$m_pos'"
own=$(awk -F- '$1 == 424242 && $2 == 2' "$dir/replica1.all.gtids" | wc -l)
other=$(awk -F- '$1 != 0 && !($1 == 424242 && $2 == 2)' "$dir/replica1.all.gtids" | wc -l)
[ "$own" -ge 1 ] || fail "replica1 logged none of vomsrepl's own writes in domain 424242"
[ "$other" -eq 0 ] || fail "replica1 logged $other GTIDs outside domain 0 and 424242-2-*"
[ "$(awk -F- '$2 == 1' "$dir/replica2.all.gtids" | wc -l)" -eq 0 ] || fail "replica2 logged master GTIDs (it does not preserve them)"
[ "$(awk -F- '$2 == 3' "$dir/replica2.all.gtids" | wc -l)" -ge 1 ] || fail "replica2 logged nothing under its own server_id"
ops_check_equal 1
[ "$(sql replica1 -e "SELECT GROUP_CONCAT(n) FROM voms_otest.gtid_probe")" = "8,8" ] || fail "gtid_probe differs on replica1"
echo "$name: replica1 logged the master's $n kept transactions under their own GTIDs, in order, each once" \
     "($own of vomsrepl's own writes in domain 424242); replica2 under its own server_id; all tables equal"
echo "FIGURE: scenario=preserve_gtid injected=\"replica1 with preserve_gtid and 2 connections: a strict-mode GTID conflict, a crash right after a DDL, 2 kill -9 of the daemon under load\" times=4 result=converged kept_master_txns=$n replica1_domain0_gtids_equal_master=1 duplicated=$dups state_domain_writes=$own lost=0"
echo "$name: PASS"
