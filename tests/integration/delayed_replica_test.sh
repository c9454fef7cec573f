#!/usr/bin/env bash
# A delayed replica (issue 24, item 4: [[replica]] delay_s, like the built-in
# MASTER_DELAY) and the operator's procedure for a mistake, on a sandbox of its own
# (master + 2 read-only replicas, `vomsrepl run` feeding both; replica2 with
# delay_s = DELAY, 8 s by default):
#
#   1. Probe rows committed on the master one at a time: each reaches replica1 at once
#      and replica2 no sooner than DELAY - 1 s after its commit (the commit time has
#      whole seconds; asserted as DELAY - 2 s after the client saw the commit) and no later than DELAY + 3 s; /status shows replica2 running with
#      delay_s and, while it waits, delayed_until; vomsrepl_replica_delay_seconds is
#      DELAY; the lag of replica2 stays below DELAY + 3 s.
#   2. The mistake: a VOMS workload, then memberships and certificates of three users
#      deleted on the master in one transaction. Within the delay the operator stops
#      replica2 (`vomsrepl replica stop`) and rolls it forward to the transaction just
#      before the mistake (`vomsrepl catchup --until GTID`): replica2 then holds every
#      table exactly as the master had it before the mistake (HEX of every row), while
#      replica1 and the master do not.
#   3. `vomsrepl replica start replica2`: it applies the rest after its delay; both
#      replicas equal the master, one journal seq per master transaction.
#
# usage: delayed_replica_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO [--goal-bounds]
#   VOMSREPL_DELAY_S (default 8)
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4"
name=delayed_replica
delay=${VOMSREPL_DELAY_S:-8}
source "$(dirname "$0")/ops_lib.sh"
# Never before the delay (correctness: asserted always); at most delay + 3 s with
# --goal-bounds, delay + 30 s in the suite (a loaded machine, docs/test-suite.md).
goal=$(goal_bounds "${5:-}") || exit 2
late_s=$(( goal ? 3 : 30 ))

ops_setup
sed -i "/^name = \"replica2\"$/a delay_s = $delay" "$dir/vomsrepl.toml"
grep -q "^delay_s = $delay$" "$dir/vomsrepl.toml" || fail "could not set replica2's delay_s"
"$vomsrepl" check-config --config "$dir/vomsrepl.toml" > "$dir/check.txt" 2>&1 || { cat "$dir/check.txt"; fail "check-config"; }
grep -q "replica replica2: .*delayed: each transaction applied $delay s after the master committed it" "$dir/check.txt" ||
  { cat "$dir/check.txt"; fail "check-config does not describe the delay"; }
ops_start_daemon
sql master -e "CREATE TABLE voms_otest.delay_probe (id INT PRIMARY KEY, note VARCHAR(20))"

has_probe() { [ "$(sql "$1" -e "SELECT COUNT(*) FROM voms_otest.delay_probe WHERE id = $2" 2>/dev/null)" = 1 ]; }
replica2() { http /status | python3 -c "import json,sys; d=json.load(sys.stdin); r=[r for r in d['replicas'] if r['name']=='replica2'][0]; print($1)"; }
metric() { http /metrics | awk -v m="$1" '$1 == m {print $2}'; }

# 1. Probes.
probe_table() { sql replica2 -e "SELECT 1 FROM voms_otest.delay_probe" > /dev/null 2>&1; }
await $(( delay + 30 )) "the probe table on replica2" probe_table
saw_waiting=0 max_lag=0
for k in 1 2 3; do
  sql master -e "INSERT INTO voms_otest.delay_probe VALUES ($k, 'probe')"
  t0=$(now_ms)
  await 10 "probe $k on replica1" has_probe replica1 "$k"
  t1=$(now_ms)
  while ! has_probe replica2 "$k"; do
    [ "$(replica2 'r["delayed_until"] or 0')" -gt 0 ] && saw_waiting=1
    lag=$(replica2 'r["lag_seconds"] or 0')
    [ "$lag" -gt "$max_lag" ] && max_lag=$lag
    [ $(( $(now_ms) - t0 )) -lt $(( (delay + late_s + 10) * 1000 )) ] || fail "probe $k not on replica2 within $(( delay + late_s + 10 )) s"
    sleep 0.2
  done
  t2=$(now_ms)
  echo "$name: probe $k: replica1 after $(( t1 - t0 )) ms, replica2 after $(( t2 - t0 )) ms (delay $delay s)"
  # The commit time has whole seconds and t0 is taken once the client has its answer:
  # the probe is due at least delay - 1 s after the commit, so at least delay - 2 s after t0.
  [ $(( t2 - t0 )) -ge $(( (delay - 2) * 1000 )) ] || fail "probe $k reached replica2 after $(( t2 - t0 )) ms, before its delay"
  [ $(( t2 - t0 )) -le $(( (delay + late_s) * 1000 )) ] || fail "probe $k reached replica2 after $(( t2 - t0 )) ms, later than delay + $late_s s"
  [ $(( t1 - t0 )) -le $(( late_s * 1000 )) ] || fail "probe $k took $(( t1 - t0 )) ms to reach replica1 (not delayed)"
done
[ "$saw_waiting" = 1 ] || fail "/status never showed replica2's delayed_until while it waited"
[ "$(replica2 'r["delay_s"]')" = "$delay" ] || fail "/status replica2 delay_s"
[ "$(replica2 'r["state"]')" = running ] || fail "replica2 not running while delayed"
[ "$(metric 'vomsrepl_replica_delay_seconds{replica="replica2"}')" = "$delay" ] || fail "vomsrepl_replica_delay_seconds"
[ "$(metric 'vomsrepl_replica_delay_seconds{replica="replica1"}')" = 0 ] || fail "replica1's delay metric"
[ "$max_lag" -le $(( delay + late_s )) ] || fail "replica2's lag reached $max_lag s (delay $delay s)"

# 2. The mistake, and the roll forward to just before it.
ops_workload 100 91
snapshot() { for t in m certificate usr; do ops_dump "$1" voms_otest "$t"; done; }
before_mistake=$(sql master -e "SELECT @@gtid_binlog_pos")
snapshot master > "$dir/before.txt"
users=$(sql master -e "SELECT GROUP_CONCAT(userid) FROM (SELECT DISTINCT u.userid FROM voms_otest.usr u
                       JOIN voms_otest.certificate c ON c.usr_id = u.userid JOIN voms_otest.m ON m.userid = u.userid
                       ORDER BY u.userid LIMIT 3) x")
[ -n "$users" ] || fail "the workload left no user with certificates and memberships"
sql master -e "BEGIN; DELETE FROM voms_otest.m WHERE userid IN ($users);
               DELETE FROM voms_otest.certificate WHERE usr_id IN ($users); COMMIT;"
t_mistake=$(now_ms)
mistake=$(sql master -e "SELECT @@gtid_binlog_pos")
echo "$name: the mistake is $mistake; the operator rolls replica2 forward to $before_mistake"
"$vomsrepl" replica stop replica2 --config "$dir/vomsrepl.toml" > /dev/null || fail "replica stop replica2"
"$vomsrepl" catchup --config "$dir/vomsrepl.toml" --replica replica2 --until "$before_mistake" > "$dir/catchup.txt" 2>&1 ||
  { cat "$dir/catchup.txt"; fail "catchup --until $before_mistake"; }
[ $(( $(now_ms) - t_mistake )) -lt $(( delay * 1000 )) ] ||
  echo "$name: note: the stop and catchup took longer than the delay on this machine"
snapshot replica2 > "$dir/replica2.txt"
cmp -s "$dir/before.txt" "$dir/replica2.txt" || { diff "$dir/before.txt" "$dir/replica2.txt" | head >&2; fail "replica2 differs from the master before the mistake"; }
await 10 "the mistake on replica1" bash -c "[ \"\$(\"$sandbox\" sql replica1 --dir \"$dir\" -- -N -B -e 'SELECT COUNT(*) FROM voms_otest.m WHERE userid IN ($users)')\" = 0 ]"
[ "$(sql replica2 -e "SELECT COUNT(*) FROM voms_otest.m WHERE userid IN ($users)")" -gt 0 ] || fail "replica2 lost the memberships"
echo "$name: replica2 holds voms_otest as it was before the mistake (m, certificate, usr byte for byte); replica1 and the master do not"

# 3. Started again: the rest after its delay, then everything equal.
"$vomsrepl" replica start replica2 --config "$dir/vomsrepl.toml" > /dev/null || fail "replica start replica2"
ops_converge $(( delay + 60 ))
ops_check_equal 0
echo "FIGURE: scenario=delayed-replica injected=\"replica2 with delay_s = $delay; probes timed; a mistaken DELETE, replica2 stopped and rolled forward to the transaction before it\" times=3 delay_s=$delay max_lag_s=$max_lag master_txns=$master_txns journaled=$journaled lost=0 duplicated=0 result=converged"
