#!/usr/bin/env bash
# A VO added online, and VOs removed (issue 24, item 3), on a sandbox of its own: master
# at the server's defaults (binlog_row_metadata NO_LOG) + 2 read-only replicas, one
# `vomsrepl run` (its PID checked after every step: no restart is needed; the one
# SIGKILL of step 3 is the test's own).
#
#   voms_otest is fed; voms_newvo exists on the master only (the VOMS schema, and a
#   300,000-row table with UUID and INET6 columns, loaded without the binlog), and its
#   users write to it from the start: a VOMS workload on voms_otest, another on
#   voms_newvo, and row updates of the big table, all the time; write_probe commits one
#   row 100 times a second on the master and records each latency.
#   1. [filter] gains voms_newvo; `vomsrepl reload` is refused (exit 6), naming
#      `reload --hold-new` and the bootstrap commands first.
#   2. `vomsrepl reload --hold-new`: taken; /status shows voms_newvo held on both
#      replicas; the replicas keep applying voms_otest (their applied seq moves on).
#   (Steps 2-4 run the `vomsrepl` lines of docs/voms-guide.md, section 6, "A VO added while
#   every VO writes", as written there, the config path replaced.)
#   3. `vomsrepl bootstrap` of voms_newvo into replica1, then replica2, while everything
#      writes and no replica is paused; each replica catches voms_newvo up from the
#      journal and the hold goes. The daemon is SIGKILLed right after replica1's copy and
#      started again (the holds come back from the replicas' rows).
#   4. Workloads stopped: `vomsrepl verify --db voms_newvo` finds 0 differences on both,
#      every table of both VOs equal (CHECKSUM TABLE), the big table byte for byte.
#   4b. A hold abandoned: voms_third held, then left out of [filter] again before its
#      copy (the replicas go on; the reload says so), written to, held again, copied:
#      equal on both replicas.
#   4c. An abandoned hold, then the database kept again with the replicas paused: a
#      replica started without its copy stops on the first change, naming it.
#   5. Removing a VO, both ways: voms_newvo excluded by a reload (left in place on the
#      replicas, later master writes not applied); voms_gone, kept, dropped on the master
#      (DROP DATABASE replicated).
#   6. `vomsrepl replica remove`: refused for a replica in the config; replica2 taken out
#      of the file while vomsrepl was stopped keeps its journal mirror until `replica
#      remove replica2` forgets it.
#   FIGURE: the master's write latency p50/p99 without and during the bootstraps, the
#   replicas' lag during them. The suite bounds the p99 ratio at 10 (a 2-core machine
#   runs the master, both replicas, the workloads and the copy); --goal-bounds at the
#   issue's 2.
#
# usage: online_vo_add_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO WRITE_PROBE [--goal-bounds]
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4" write_probe="$5"
name=online_vo_add
source "$(dirname "$0")/ops_lib.sh"
goal=$(goal_bounds "${6:-}") || exit 2
# The guide's section: its `vomsrepl` lines are the commands of steps 2-4, as written.
guide="$repo/docs/voms-guide.md"
section=$(awk '/^### A VO added while every VO writes/ {on = 1; next} on && /^##/ {exit} on' "$guide")
mapfile -t guide_commands < <(printf '%s\n' "$section" | awk '$0 == "```sh" {on = 1; next} on && $0 == "```" {on = 0} on' |
                               grep '^vomsrepl ' | sed "s|/etc/vomsrepl/vomsrepl.toml|$dir/vomsrepl.toml|g")
guide_command() {  # guide_command WORDS...: the guide's line starting with `vomsrepl WORDS`
  local c
  for c in "${guide_commands[@]}"; do [[ "$c" == "vomsrepl $*"* ]] && { printf '%s\n' "${c#vomsrepl }"; return 0; }; done
  fail "docs/voms-guide.md, 'A VO added while every VO writes', has no \`vomsrepl $*\` line"
}
[ "${#guide_commands[@]}" -eq 4 ] || fail "expected 4 vomsrepl lines in the guide's section, found ${#guide_commands[@]}"
ratio_bound=$(( goal ? 2 : 10 ))

ops_setup
cfg=$dir/vomsrepl.toml
sed -i 's/^include_databases = \["voms_\*"\]$/include_databases = ["voms_otest"]/' "$cfg"
grep -q '^include_databases = \["voms_otest"\]$' "$cfg" || fail "could not set the filter to voms_otest"
sql master -e "CREATE USER 'vomsrepl_read'@'127.0.0.1' IDENTIFIED BY 'Online-read-1'; GRANT SELECT ON *.* TO 'vomsrepl_read'@'127.0.0.1'"
master_port=$(sed -n "s/^VOMSREPL_MASTER_PORT='\{0,1\}\([0-9]*\)'\{0,1\}$/\1/p" "$dir/sandbox.env")
(umask 077; printf '[client]\nhost=127.0.0.1\nport=%s\nuser=vomsrepl_read\npassword=Online-read-1\n' "$master_port" > "$dir/master-read.cnf")
sed -i "s|^\[master\]$|[master]\nread_defaults_file = \"$dir/master-read.cnf\"|" "$cfg"
# voms_newvo on the master only, not in the binlog (restored from another host).
"$sandbox" load-voms --vo newvo --dir "$dir" --skip-binlog > /dev/null 2>&1 || fail "load-voms newvo"
sql master -e "SET sql_log_bin = 0;
  CREATE TABLE voms_newvo.bulk (id INT PRIMARY KEY, u UUID, ip INET6, note VARCHAR(200), n BIGINT);
  INSERT INTO voms_newvo.bulk SELECT seq, UUID(), CONCAT('2001:db8::', HEX(seq DIV 65536), ':', HEX(seq MOD 65536)), REPEAT('x', 150), seq
    FROM voms_newvo.seq_1_to_300000"
[ "$(sql master -e "SELECT @@binlog_row_metadata")" = NO_LOG ] || fail "the master is not at the server's default binlog_row_metadata"

ops_start_daemon
pid=$daemon_pid
same_process() { kill -0 "$pid" 2>/dev/null || fail "the daemon exited during: $1"; [ "$daemon_pid" = "$pid" ]; }
reload() { "$vomsrepl" reload --config "$cfg" "$@" > "$dir/reload.out" 2>&1; }
held_state() {  # held_state REPLICA: voms_newvo's hold state in /status ("" when none)
  http /status | python3 -c '
import json, sys
d = json.load(sys.stdin)
r = [r for r in d["replicas"] if r["name"] == sys.argv[1]][0]
print("".join(h["state"] for h in (r["held_databases"] or []) if h["database"] == "voms_newvo"))' "$1"
}
applied() { http /status | python3 -c 'import json,sys; print([r["applied_seq"] for r in json.load(sys.stdin)["replicas"] if r["name"]==sys.argv[1]][0])' "$1"; }

# Everything writes from here on.
ops_bg_start 600
rm -f "$dir/newvo.stop"
( s=700
  while [ ! -e "$dir/newvo.stop" ]; do
    "$repo/tools/voms-workload" --vo newvo --transactions 20 --seed "$s" --dir "$dir" >/dev/null 2>&1 || exit 1
    sql master -e "UPDATE voms_newvo.bulk SET u = UUID(), ip = CONCAT('2001:db8:1::', HEX($s)), n = n + 1
                   WHERE id BETWEEN $(( (s * 37) % 299000 + 1 )) AND $(( (s * 37) % 199000 + 40 ))" || exit 1
    s=$((s + 1))
  done ) &
newvo_pid=$!
cleanup_pids+=("$newvo_pid")
"$write_probe" "$dir/master/admin.cnf" probe 100 "$dir/probe.stop" "$dir/probe.txt" 2> "$dir/probe.err" &
probe_pid=$!
cleanup_pids+=("$probe_pid")
sleep 15  # the baseline window of the latency probe (the same load, no bootstrap)
base_end=$(now_ms)

# 1. Refused without --hold-new, online way first.
sed -i 's/^include_databases = \["voms_otest"\]$/include_databases = ["voms_otest", "voms_newvo"]/' "$cfg"
rc=0; reload || rc=$?
[ "$rc" -eq 6 ] || { cat "$dir/reload.out"; fail "reload adding voms_newvo without --hold-new: exit $rc, want 6"; }
commands=$(grep -E '^ +vomsrepl ' "$dir/reload.out" | sed 's/^ *//')
[ "$(echo "$commands" | sed -n 1p)" = "vomsrepl reload --hold-new --config $cfg" ] &&
  [ "$(echo "$commands" | sed -n 2p)" = "vomsrepl bootstrap --config $cfg --replica replica1 --db voms_newvo" ] &&
  [ "$(echo "$commands" | sed -n 3p)" = "vomsrepl bootstrap --config $cfg --replica replica2 --db voms_newvo" ] ||
  { cat "$dir/reload.out"; fail "the refusal does not name reload --hold-new and the bootstraps first"; }
same_process "the refused reload"

# 2. Taken with --hold-new.
read -r -a words <<< "$(guide_command reload --hold-new)"
echo "$name: vomsrepl ${words[*]}"
"$vomsrepl" "${words[@]}" > "$dir/reload.out" 2>&1 || { cat "$dir/reload.out"; fail "reload --hold-new"; }
grep -q "replica replica1 does not hold voms_newvo (master database voms_newvo): it holds voms_newvo back" "$dir/reload.out" ||
  { cat "$dir/reload.out"; fail "reload --hold-new does not say replica1 holds voms_newvo back"; }
for r in replica1 replica2; do
  await 30 "$r holding voms_newvo" eval '[ "$(held_state '"$r"')" = held ]'
done
a1=$(applied replica1)
sleep 3
[ "$(applied replica1)" -gt "$a1" ] || fail "replica1 stopped applying while it holds voms_newvo"
[ "$(sql replica1 -e "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = 'voms_newvo'")" = 0 ] ||
  fail "replica1 has a voms_newvo before its bootstrap"
same_process "reload --hold-new"
echo "$name: reload --hold-new taken; both replicas hold voms_newvo back and keep applying voms_otest"

# 3. The copies, with everything writing.
ops_lag_start
windows=()
for r in replica1 replica2; do
  t0=$(now_ms)
  read -r -a words <<< "$(guide_command bootstrap --config "$cfg" --replica "$r")"
  echo "$name: vomsrepl ${words[*]}"
  "$vomsrepl" "${words[@]}" > "$dir/boot-$r.out" 2>&1 || { cat "$dir/boot-$r.out"; fail "bootstrap of voms_newvo into $r"; }
  t1=$(now_ms)
  windows+=("$t0 $t1")
  grep -q "the replica's runner now applies voms_newvo's changes journaled after it" "$dir/boot-$r.out" ||
    { cat "$dir/boot-$r.out"; fail "bootstrap of $r did not take the held path"; }
  sed -n 's/^\(bootstrap: .*at journal seq [0-9]*\).*/\1/p' "$dir/boot-$r.out"
  if [ "$r" = replica1 ]; then
    # A crash right after the copy (replica1 copied, catching up or about to; replica2
    # still held): the holds come back from the replicas' rows, exactly once.
    kill -9 "$pid"; wait "$pid" 2>/dev/null || true
    echo "$name: SIGKILL of the daemon right after replica1's bootstrap; restarted"
    ops_start_daemon
    pid=$daemon_pid
  fi
  await 60 "$r catching voms_newvo up (the hold gone)" eval '[ -z "$(held_state '"$r"')" ]'
  grep "replica $r: database voms_newvo caught up" "$dir/run.log" | tail -1 | sed 's/^.*\] //'
done
ops_lag_stop
same_process "the bootstraps"

# 4. Quiet, then compared.
touch "$dir/probe.stop" "$dir/newvo.stop"
wait "$probe_pid" || { cat "$dir/probe.err"; fail "write_probe failed"; }
wait "$newvo_pid" || fail "the voms_newvo workload failed"
ops_bg_stop
ops_converge 120
read -r -a words <<< "$(guide_command verify)"
echo "$name: vomsrepl ${words[*]}"
"$vomsrepl" "${words[@]}" > "$dir/verify.out" 2>&1 || { cat "$dir/verify.out"; fail "verify --db voms_newvo"; }
for r in replica1 replica2; do
  grep -q "^$r: 36 tables" "$dir/verify.out" || { cat "$dir/verify.out"; fail "verify did not compare voms_newvo's 36 tables on $r"; }
done
for db in voms_otest voms_newvo; do
  m=$(checksums master "$db")
  [ "$(echo "$m" | wc -l)" -ge 30 ] || fail "expected the VOMS schema in $db on the master"
  for r in replica1 replica2; do [ "$(checksums "$r" "$db")" = "$m" ] || fail "$r $db differs from the master"; done
done
ops_dump master voms_newvo bulk > "$dir/bulk.master"
for r in replica1 replica2; do
  ops_dump "$r" voms_newvo bulk > "$dir/bulk.$r"
  cmp -s "$dir/bulk.master" "$dir/bulk.$r" || fail "$r voms_newvo.bulk differs from the master byte for byte"
done
updates=$(sql master -e "SELECT SUM(n) - SUM(id) FROM voms_newvo.bulk")
[ "$updates" -gt 0 ] || fail "the big table was not updated during the test"
echo "$name: voms_newvo equal on both replicas (verify, CHECKSUM TABLE, bulk byte for byte; $updates row updates of UUID/INET6 rows)"

# The master's write latency: the baseline window against the bootstrap windows.
read -r p50_base p99_base p50_boot p99_boot n_base n_boot < <(python3 - "$dir/probe.txt" "$base_end" "${windows[@]}" <<'PY'
import sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
base_end = int(sys.argv[2])
wins = [tuple(map(int, w.split())) for w in sys.argv[3:]]
base = sorted(us for ms, us in rows if ms < base_end)
boot = sorted(us for ms, us in rows if any(a <= ms <= b for a, b in wins))
q = lambda v, p: v[min(len(v) - 1, int(p * len(v)))] / 1000.0
print(f"{q(base, .5):.2f} {q(base, .99):.2f} {q(boot, .5):.2f} {q(boot, .99):.2f} {len(base)} {len(boot)}")
PY
)
echo "$name: master write latency (ms): without a bootstrap p50 $p50_base p99 $p99_base ($n_base writes); during the bootstraps p50 $p50_boot p99 $p99_boot ($n_boot writes); replicas' lag at most ${max_lag}s"
[ "$n_base" -ge 300 ] && [ "$n_boot" -ge 10 ] || fail "too few probe writes ($n_base without, $n_boot during the bootstraps)"
ratio=$(python3 -c "print(f'{$p99_boot / max($p99_base, 0.001):.2f}')")
python3 -c "import sys; sys.exit(0 if $ratio <= $ratio_bound else 1)" ||
  fail "the master's write p99 during the bootstraps is $ratio x its value without (bound $ratio_bound)"

# 4b. A hold abandoned: voms_third held, left out again before its copy (the replicas go on,
# its rows stay unapplied, nothing kept for it), then held again and copied.
"$sandbox" load-voms --vo third --dir "$dir" --skip-binlog > /dev/null 2>&1 || fail "load-voms third"
sed -i 's/^include_databases = \["voms_otest", "voms_newvo"\]$/include_databases = ["voms_otest", "voms_newvo", "voms_third"]/' "$cfg"
reload --hold-new || { cat "$dir/reload.out"; fail "reload --hold-new of voms_third"; }
third_state() { http /status | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join("".join(h["state"] for h in (r["held_databases"] or []) if h["database"] == "voms_third") for r in d["replicas"]))'; }
await 30 "voms_third held on both replicas" eval '[ "$(third_state)" = "held held" ]'
ops_workload_vo() { "$repo/tools/voms-workload" --vo "$1" --transactions "$2" --seed "$3" --dir "$dir" > /dev/null; }
ops_workload_vo third 30 801
sed -i 's/^include_databases = \["voms_otest", "voms_newvo", "voms_third"\]$/include_databases = ["voms_otest", "voms_newvo"]/' "$cfg"
reload || { cat "$dir/reload.out"; fail "reload leaving voms_third out again"; }
grep -q "replica replica1 no longer waits for a copy of voms_third" "$dir/reload.out" ||
  { cat "$dir/reload.out"; fail "the reload does not say replica1's hold of voms_third is abandoned"; }
await 30 "voms_third abandoned on both replicas" eval '[ "$(third_state)" = "abandoned abandoned" ]'
ops_workload_vo third 30 802
ops_workload 30 803
ops_converge 120
sed -i 's/^include_databases = \["voms_otest", "voms_newvo"\]$/include_databases = ["voms_otest", "voms_newvo", "voms_third"]/' "$cfg"
reload --hold-new || { cat "$dir/reload.out"; fail "reload --hold-new of voms_third again"; }
await 30 "voms_third held again on both replicas" eval '[ "$(third_state)" = "held held" ]'
ops_workload_vo third 30 804 &
third_pid=$!
for r in replica1 replica2; do
  "$vomsrepl" bootstrap --config "$cfg" --replica "$r" --db voms_third > "$dir/boot-third-$r.out" 2>&1 ||
    { cat "$dir/boot-third-$r.out"; fail "bootstrap of voms_third into $r"; }
done
wait "$third_pid" || fail "the voms_third workload failed"
await 60 "voms_third caught up on both replicas" eval '[ "$(third_state)" = " " ]'
ops_converge 120
m=$(checksums master voms_third)
for r in replica1 replica2; do [ "$(checksums "$r" voms_third)" = "$m" ] || fail "$r voms_third differs from the master"; done
same_process "the abandoned hold"
echo "$name: voms_third held, abandoned by a reload (replicas went on), held again and copied: equal on both replicas"

# 4c. An abandoned hold, then the database kept again the way that pauses the replicas:
# the reload deletes the abandoned rows, so replica2, started without its bootstrap,
# stops on voms_fourth's first change, naming it (it must never run on without it).
"$sandbox" load-voms --vo fourth --dir "$dir" --skip-binlog > /dev/null 2>&1 || fail "load-voms fourth"
set_include() { sed -i "s/^include_databases = .*\$/include_databases = [$1]/" "$cfg"; }
set_include '"voms_otest", "voms_newvo", "voms_third", "voms_fourth"'
reload --hold-new || { cat "$dir/reload.out"; fail "reload --hold-new of voms_fourth"; }
set_include '"voms_otest", "voms_newvo", "voms_third"'
reload || { cat "$dir/reload.out"; fail "reload leaving voms_fourth out again"; }
for r in replica1 replica2; do "$vomsrepl" replica stop "$r" --config "$cfg" > /dev/null || fail "replica stop $r"; done
set_include '"voms_otest", "voms_newvo", "voms_third", "voms_fourth"'
reload || { cat "$dir/reload.out"; fail "plain reload keeping voms_fourth again, both replicas stopped"; }
[ "$(sql replica2 -e "SELECT COUNT(*) FROM vomsrepl.held_database WHERE db = 'voms_fourth'")" = 0 ] ||
  fail "the plain reload left replica2's abandoned hold of voms_fourth"
"$vomsrepl" bootstrap --config "$cfg" --replica replica1 --db voms_fourth > "$dir/boot-fourth.out" 2>&1 ||
  { cat "$dir/boot-fourth.out"; fail "bootstrap of voms_fourth into the stopped replica1"; }
for r in replica1 replica2; do "$vomsrepl" replica start "$r" --config "$cfg" > /dev/null || fail "replica start $r"; done
ops_workload_vo fourth 10 805
await 60 "replica2 stopped on voms_fourth's first change" eval '[ "$(ops_replica_state replica2)" = error ]'
http /status | python3 -c 'import json,sys; print([r["last_error"] for r in json.load(sys.stdin)["replicas"] if r["name"]=="replica2"][0])' |
  grep -q "voms_fourth" || fail "replica2's error does not name voms_fourth"
"$vomsrepl" bootstrap --config "$cfg" --replica replica2 --db voms_fourth > "$dir/boot-fourth2.out" 2>&1 ||
  { cat "$dir/boot-fourth2.out"; fail "bootstrap of voms_fourth into replica2 after its stop"; }
"$vomsrepl" replica start replica2 --config "$cfg" > /dev/null || fail "replica start replica2"
ops_converge 120
m=$(checksums master voms_fourth)
for r in replica1 replica2; do [ "$(checksums "$r" voms_fourth)" = "$m" ] || fail "$r voms_fourth differs from the master"; done
same_process "the abandoned hold kept again the pausing way"
echo "$name: voms_fourth abandoned, then kept again with the replicas paused: replica2 (no copy) stopped naming it, then bootstrapped; equal on both"

# 5a. voms_newvo excluded by a reload, left in place.
set_include '"voms_otest", "voms_third", "voms_fourth", "voms_gone"'
reload || { cat "$dir/reload.out"; fail "reload excluding voms_newvo (and keeping voms_gone, not on the master yet)"; }
before=$(sql replica1 -e "SELECT COUNT(*) FROM voms_newvo.bulk")
sql master -e "DELETE FROM voms_newvo.bulk WHERE id = 1"
# 5b. voms_gone created, written, dropped on the master.
sql master -e "CREATE DATABASE voms_gone; CREATE TABLE voms_gone.t (id INT PRIMARY KEY); INSERT INTO voms_gone.t VALUES (1), (2)"
ops_converge 60
for r in replica1 replica2; do
  [ "$(sql "$r" -e "SELECT COUNT(*) FROM voms_gone.t")" = 2 ] || fail "$r lacks voms_gone.t"
  [ "$(sql "$r" -e "SELECT COUNT(*) FROM voms_newvo.bulk")" = "$before" ] || fail "$r applied a write to the excluded voms_newvo"
done
sql master -e "DROP DATABASE voms_gone"
ops_converge 60
for r in replica1 replica2; do
  [ "$(sql "$r" -e "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = 'voms_gone'")" = 0 ] ||
    fail "DROP DATABASE voms_gone did not reach $r"
done
same_process "the VO removals"
echo "$name: voms_newvo excluded and left in place (a later master write not applied); voms_gone's DROP DATABASE replicated"

# 6. replica remove.
rc=0; "$vomsrepl" replica remove replica2 --config "$cfg" > "$dir/remove.out" 2>&1 || rc=$?
[ "$rc" -eq 6 ] && grep -q "replica replica2 is in \[\[replica\]\]" "$dir/remove.out" ||
  { cat "$dir/remove.out"; fail "replica remove of a configured replica: exit $rc, want 6"; }
ops_stop_daemon
python3 - "$cfg" <<'PY'
import re, sys
p = sys.argv[1]; s = open(p).read()
s = re.sub(r'\[\[replica\]\]\nname = "replica2"\n(?:[^\[].*\n)*', '', s)
open(p, 'w').write(s)
PY
ops_start_daemon
"$vomsrepl" status --state-dir "$dir/state" > "$dir/status.txt"
grep -q "^replica2 " "$dir/status.txt" || { cat "$dir/status.txt"; fail "the journal does not mirror replica2 before replica remove"; }
"$vomsrepl" replica remove replica2 --config "$cfg" > "$dir/remove.out" 2>&1 || { cat "$dir/remove.out"; fail "replica remove replica2"; }
grep -q "replica replica2 forgotten: it had applied journal seq" "$dir/remove.out" || { cat "$dir/remove.out"; fail "replica remove output"; }
"$vomsrepl" status --state-dir "$dir/state" > "$dir/status.txt"
grep -q "^replica2 " "$dir/status.txt" && { cat "$dir/status.txt"; fail "the journal still mirrors replica2 after replica remove"; }
rc=0; "$vomsrepl" replica remove replica9 --config "$cfg" > "$dir/remove.out" 2>&1 || rc=$?
[ "$rc" -ne 0 ] && grep -q "the journal knows no replica 'replica9'" "$dir/remove.out" ||
  { cat "$dir/remove.out"; fail "replica remove of an unknown replica: exit $rc"; }
echo "$name: replica remove refused for a configured replica, forgot replica2 (taken out while stopped), refused an unknown name"
ops_stop_daemon
echo "FIGURE: scenario=online_vo_add injected=\"a VO added (reload --hold-new, bootstrap of 2 replicas) while 2 VOs and a probe write\" restarts=0 sigkills=1 master_write_p99_ms_without=$p99_base master_write_p99_ms_during=$p99_boot p99_ratio=$ratio replicas_max_lag_s=$max_lag result=applied"
echo "$name: ok"
