#!/usr/bin/env bash
# Resume of a feeder started at a binlog position (issue 25, item 4), end to end on a
# sandbox MariaDB master at its defaults, with two GTID domains:
#   1. before the start position: transactions in domain 1 (ids 1-5 of a probe table,
#      which must never reach the replicas) and domain 0 (outside the filter);
#   2. `[master] start = "FILE:POS"` (SHOW MASTER STATUS at that moment); a VOMS workload
#      in domain 0 only, then SIGKILL of the daemon (its checkpoint has seen domain 0 only);
#   3. domain 1 again (ids 6-10) and more workload; the daemon started again, killed once
#      more, started again;
#   4. both replicas hold exactly ids 6-10, equal the master in voms_otest, and the
#      journal holds one seq per kept master transaction after the start position.
#
# usage: filepos_resume_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4"
name=filepos_resume
source "$(dirname "$0")/ops_lib.sh"

ops_setup
for s in master replica1 replica2; do
  sql "$s" -e "SET sql_log_bin = 0; CREATE TABLE voms_otest.fp_probe (id INT PRIMARY KEY, note VARCHAR(20))"
done
d1() { sql master -e "SET SESSION gtid_domain_id = 1; INSERT INTO voms_otest.fp_probe VALUES ($1, 'domain 1')"; }
for i in 1 2 3 4 5; do d1 "$i"; done
for i in 1 2 3; do sql master -e "INSERT INTO notvoms.t VALUES ($i)"; done  # domain 0, not kept
read -r file pos <<< "$(sql master -e "SHOW MASTER STATUS" | cut -f1,2)"
[ -n "$file" ] && [ -n "$pos" ] || fail "no SHOW MASTER STATUS"
before=$(sql master -e "SELECT @@gtid_binlog_pos")
sed -i "s|^start = .*|start = \"$file:$pos\"|" "$dir/vomsrepl.toml"
grep -q "^start = \"$file:$pos\"$" "$dir/vomsrepl.toml" || fail "could not set start to $file:$pos"
echo "$name: start at $file:$pos (the master was at GTID $before)"

ops_start_daemon
ops_workload 60 302
await 60 "the daemon journaling" bash -c "[ \"\$(curl -sf -H \"\$(cat /dev/null)\" http://127.0.0.1:$port/metrics | awk '\$1==\"vomsrepl_journal_last_seq\" {print \$2}')\" != 0 ]"
kill -9 "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true; daemon_pid=""
for i in 6 7 8 9 10; do d1 "$i"; done
ops_workload 60 303
ops_start_daemon
ops_workload 30 304
sleep 1
kill -9 "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true; daemon_pid=""
ops_workload 30 305
ops_start_daemon
# Converged: the feeder's GTID state is the master's, in both domains (it knew the
# master's state at the start position), and both replicas applied all of it.
ops_converge 120
vomsdata() {  # CHECKSUM TABLE of every voms_otest table but fp_probe (its ids 1-5 stay on the master only)
  local tables
  tables=$(sql "$1" -e "SELECT GROUP_CONCAT(CONCAT('voms_otest.\`', table_name, '\`') ORDER BY table_name)
                        FROM information_schema.tables WHERE table_schema = 'voms_otest' AND table_name <> 'fp_probe'")
  sql "$1" -e "CHECKSUM TABLE $tables" | awk '{print $2}'
}
for r in replica1 replica2; do
  ids=$(sql "$r" -e "SELECT GROUP_CONCAT(id ORDER BY id) FROM voms_otest.fp_probe")
  [ "$ids" = "6,7,8,9,10" ] || fail "$r holds fp_probe ids '$ids', want 6,7,8,9,10 (1-5 were before the start position)"
  [ "$(vomsdata "$r")" = "$(vomsdata master)" ] || fail "$r voms_otest differs from the master"
done
# Every master transaction after the start position is kept (domain 0: the workload on
# voms_otest; domain 1: ids 6-10): the GTID sequence numbers since then, per domain.
end=$(sql master -e "SELECT @@gtid_binlog_pos")
kept=$(python3 -c 'import sys
def seqs(t): return {g.split("-")[0]: int(g.split("-")[2]) for g in t.split(",") if g}
a, b = seqs(sys.argv[1]), seqs(sys.argv[2])
print(sum(b[d] - a.get(d, 0) for d in b))' "$before" "$end")
journaled=$(json "$dir/status.json" 'd["journal"]["last_seq"]')
[ "$journaled" -eq "$kept" ] || fail "the journal holds $journaled transactions, the master committed $kept kept ones after $file:$pos"
echo "$name: ok: started at $file:$pos, 2 SIGKILLs, domains 0 and 1: replicas hold exactly what came after the position; $journaled journaled"
echo "FIGURE: scenario=filepos-resume injected=\"start = FILE:POS, SIGKILL twice, GTID domains 0 and 1 (domain 1 unseen at the first kill)\" times=2 master_txns=$kept journaled=$journaled lost=0 duplicated=0 result=converged"
