#!/usr/bin/env bash
# Schema changes under load (issue 9, item 6), on a sandbox of its own (master + 2
# read-only replicas, `vomsrepl run`):
#
#   * rows stream into voms_otest.sc (one master session: INSERT + UPDATE in a
#     transaction, a DELETE every 4th, about 50 a second) next to a VOMS workload, while
#     the master runs 12 ALTER TABLEs on sc: ADD COLUMN at the end, FIRST and AFTER x,
#     DROP COLUMN, MODIFY to move columns (also the streamed ones), type changes where
#     the values fit (INT -> BIGINT, INT -> SMALLINT, VARCHAR(40) -> (100), DATETIME(3)
#     -> (6));
#   * crashes during a DDL: voms_otest.big (BIG rows, the same on every server, out of
#     the binlog) gets ALTER TABLE ... ADD COLUMN, ALGORITHM=COPY, which takes seconds;
#     once SHOW PROCESSLIST shows the applier's ALTER running on both replicas the
#     daemon is killed (kill -9) and started again. (A) killed while the replicas copy:
#     the servers complete the ALTER, and the progress row's ddl_seq_pending must make
#     the new runner take the re-run's error 1060 for done (at least one replica must
#     log it; a replica whose server aborted the ALTER runs it again). (B) killed while
#     the ALTERs wait for a reader's metadata lock (an open transaction on big, as a
#     VOMS server's): the server aborts them (checked: no ALTER left, no column), and
#     the new runner must run them again, not take them for done;
#   * afterwards every voms_otest table equals the master's (CHECKSUM TABLE), sc row by
#     row (HEX of every column) and by SHOW CREATE TABLE, big by SHOW CREATE TABLE, and
#     the journal holds one entry per master transaction (0 lost, 0 duplicated).
#
# usage: schema_change_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO
#   VOMSREPL_SC_ROUNDS (default 1): crash-during-DDL rounds, two ALTERs on big and two
#     kills each;
#   VOMSREPL_SC_BIG_ROWS (default 200000): rows of big (the copy must take seconds).
#   E.g. VOMSREPL_SC_ROUNDS=5 for the longer variant by hand.
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4"
name="schema_change"
rounds=${VOMSREPL_SC_ROUNDS:-1}
big_rows=${VOMSREPL_SC_BIG_ROWS:-200000}
source "$(dirname "$0")/ops_lib.sh"

ops_setup
# big: the same rows on every server, outside the binlog (as the initial copy).
load_pids=()
for srv in master replica1 replica2; do
  {
    [ "$srv" = master ] && echo "SET SESSION sql_log_bin = 0;"
    echo "CREATE TABLE voms_otest.big (id INT NOT NULL PRIMARY KEY, pad CHAR(200) NOT NULL, x INT NOT NULL) ENGINE=InnoDB;"
    echo "INSERT INTO voms_otest.big SELECT seq, REPEAT(CHAR(65 + seq % 26), 200), seq % 1000 FROM test.seq_1_to_$big_rows;"
  } | sql "$srv" &
  load_pids+=($!)
done
for p in "${load_pids[@]}"; do wait "$p" || fail "creating voms_otest.big"; done
for srv in master replica1 replica2; do
  [ "$(sql "$srv" -e "SELECT COUNT(*) FROM voms_otest.big")" -eq "$big_rows" ] || fail "$srv: voms_otest.big is not loaded"
done
[ "$(sql master -e "SELECT @@gtid_binlog_pos")" = "$start_gtid" ] || fail "loading big reached the binlog"
ops_start_daemon

ddl=0
master_ddl() { sql master -e "$1" || fail "master refused: $1"; ddl=$((ddl + 1)); }
master_ddl "CREATE TABLE voms_otest.sc (id INT NOT NULL PRIMARY KEY, v1 INT NULL, v2 INT NULL, s VARCHAR(40) NULL) ENGINE=InnoDB"

# The row stream: one client session fed by a generator until $dir/sc.stop exists. It
# names its columns, which every ALTER below keeps (moved, retyped to types the values
# fit).
rm -f "$dir/sc.stop"
python3 - "$dir/sc.stop" "$dir/sc.count" <<'PY' | sql master &
import os, sys, time
stop, count = sys.argv[1:3]
n = 0
while not os.path.exists(stop):
    n += 1
    print(f"BEGIN; INSERT INTO voms_otest.sc (id, v1, v2, s) VALUES ({n}, {n * 7}, {n % 30000}, 'row {n}'); "
          f"UPDATE voms_otest.sc SET v1 = v1 + 1, s = 'upd {n}' WHERE id = {n - 3}; COMMIT;")
    if n % 4 == 0:
        print(f"DELETE FROM voms_otest.sc WHERE id = {n - 7};")
    sys.stdout.flush()
    time.sleep(0.02)
open(count, "w").write(f"{n}\n")
PY
stream_pid=$!
trap 'touch "$dir/sc.stop" 2>/dev/null || true; kill "$stream_pid" 2>/dev/null || true; ops_cleanup' EXIT
sleep 1
ops_bg_start 81
for stmt in \
  "ADD COLUMN e1 INT NULL" \
  "ADD COLUMN f1 VARCHAR(20) NOT NULL DEFAULT 'first' FIRST" \
  "ADD COLUMN m1 DATETIME(3) NULL DEFAULT '2026-01-02 03:04:05.678' AFTER v1" \
  "DROP COLUMN e1" \
  "MODIFY v2 INT NULL FIRST" \
  "MODIFY s VARCHAR(40) NULL AFTER id" \
  "MODIFY v1 BIGINT NULL" \
  "MODIFY s VARCHAR(100) CHARACTER SET utf8mb4 NULL" \
  "DROP COLUMN f1, ADD COLUMN g1 DECIMAL(10,2) NOT NULL DEFAULT 1.5 AFTER v2" \
  "MODIFY v2 SMALLINT NULL AFTER s" \
  "MODIFY m1 DATETIME(6) NULL" \
  "MODIFY v1 BIGINT NULL AFTER g1"; do
  sleep 0.7
  master_ddl "ALTER TABLE voms_otest.sc $stmt"
done
sleep 1
streamed_ddl=$ddl

# Crashes during a DDL, while the rows still stream; each round two of them:
#   A  the daemon dies while the replicas copy big for its ALTER; the servers finish
#      the ALTER on their own, and the restarted runner (once the dead session is gone
#      and its channel lock with it) re-runs it and takes error 1060 for done;
#   B  a VOMS server reading big on each replica (an open transaction: a metadata
#      lock) holds the applier's ALTER at its end; the daemon dies there, the server
#      aborts the ALTER of the vanished client (the DDL did not happen), and the
#      restarted runner must run it again for real.
running_alter() {  # SERVER COLUMN -> "id<TAB>state" of the applier's ALTER adding COLUMN
  sql "$1" -e "SELECT id, state FROM information_schema.processlist
               WHERE user = 'vomsrepl_apply' AND info LIKE 'ALTER TABLE voms_otest.big ADD COLUMN $2 %'"
}
reader_id() {  # SERVER -> processlist id of the reader holding big
  sql "$1" -e "SELECT id FROM information_schema.processlist WHERE info = 'SELECT SLEEP(300) AS holds_big'"
}
has_column() {  # SERVER COLUMN
  [ -n "$(sql "$1" -e "SELECT 1 FROM information_schema.columns
                       WHERE table_schema = 'voms_otest' AND table_name = 'big' AND column_name = '$2'")" ]
}
already_applied() { grep -c "was already applied before a stop" "$dir/run.log" || true; }
# crash COLUMN WANT-STATE: the master's ALTER adding COLUMN, then kill -9 of the daemon
# once both replicas' ALTERs are in a state matching WANT-STATE, and a restart.
crash() {
  local col=$1 want=$2 t0 master_ms a1="" a2=""
  t0=$(now_ms)
  master_ddl "ALTER TABLE voms_otest.big ADD COLUMN $col INT NOT NULL DEFAULT 7, ALGORITHM=COPY"
  master_ms=$(( $(now_ms) - t0 ))
  local deadline=$(( $(date +%s) + 60 ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    a1=$(running_alter replica1 "$col") a2=$(running_alter replica2 "$col")
    [[ -n $a1 && -n $a2 && ${a1#*$'\t'} =~ $want && ${a2#*$'\t'} =~ $want ]] && break
    sleep 0.1
  done
  [[ -n $a1 && -n $a2 && ${a1#*$'\t'} =~ $want && ${a2#*$'\t'} =~ $want ]] ||
    fail "$col: the applier's ALTER is not running as wanted on both replicas (replica1: '$a1', replica2: '$a2')"
  kill -9 "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true; daemon_pid=""
  crashes_done=$((crashes_done + 1))
  echo "$name: $col: daemon killed while the replicas ran its ALTER (replica1: ${a1#*$'\t'}, replica2: ${a2#*$'\t'}; the master's took $master_ms ms)"
}
# settle COLUMN: both replicas hold COLUMN and have no DDL pending.
# (Every wait of this test has a deadline in seconds, and they add up to less than the
# ctest timeout: a stuck step fails with its name and the daemon's log, never by the
# timeout's kill.)
settle() {
  local deadline=$(( $(date +%s) + 90 ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    has_column replica1 "$1" && has_column replica2 "$1" &&
      [ "$(sql replica1 -e "SELECT COUNT(*) FROM vomsrepl.progress WHERE ddl_seq_pending IS NOT NULL")$(sql replica2 -e "SELECT COUNT(*) FROM vomsrepl.progress WHERE ddl_seq_pending IS NOT NULL")" = 00 ] && return 0
    sleep 0.2
  done
  fail "$1: the replicas did not get the column within 90 s of the restart (replica1: $(has_column replica1 "$1" && echo has it || echo lacks it), replica2: $(has_column replica2 "$1" && echo has it || echo lacks it); /status: $(http /status 2>/dev/null | head -c 1500))"
}
crashes_done=0 recovered=0 rerun=0
for k in $(seq "$rounds"); do
  # A: killed while copying.
  w0=$(already_applied)
  crash "a$k" '.*'  # in any state: it runs
  ops_start_daemon
  echo "$name: a$k: daemon restarted, waiting for both replicas to hold the column"
  settle "a$k"
  news=$(grep "was already applied before a stop" "$dir/run.log" | tail -n +$((w0 + 1)))
  n=$(grep -c "(error 1060 .*ADD COLUMN a$k " <<< "$news" || true)
  [ "$n" -ge 1 ] || fail "a$k: no replica recognised the ALTER that completed after the daemon died"
  recovered=$((recovered + n)) rerun=$((rerun + 2 - n))
  # B: killed while the ALTERs wait for the readers' metadata lock.
  reader_pids=()
  for r in replica1 replica2; do
    "$sandbox" sql "$r" --as reader --dir "$dir" -- -N -B \
      -e "BEGIN; SELECT COUNT(*) FROM voms_otest.big WHERE id < 10; SELECT SLEEP(300) AS holds_big" >/dev/null 2>&1 &
    reader_pids+=($!)
  done
  for r in replica1 replica2; do
    for _ in $(seq 50); do [ -n "$(reader_id "$r")" ] && break; sleep 0.1; done
    [ -n "$(reader_id "$r")" ] || fail "b$k: the reader on $r does not run"
  done
  w0=$(already_applied)
  crash "b$k" '^Waiting for table metadata lock$'
  for r in replica1 replica2; do
    for _ in $(seq 100); do [ -z "$(running_alter "$r" "b$k")" ] && break; sleep 0.1; done
    [ -z "$(running_alter "$r" "b$k")" ] || fail "b$k: $r still runs the ALTER of the dead daemon"
    ! has_column "$r" "b$k" || fail "b$k: the interrupted ALTER happened on $r after all"
  done
  ops_start_daemon
  echo "$name: b$k: daemon restarted, the readers killed, waiting for both replicas to hold the column"
  for r in replica1 replica2; do sql "$r" -e "KILL $(reader_id "$r")"; done
  for p in "${reader_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  settle "b$k"
  news=$(grep "was already applied before a stop" "$dir/run.log" | tail -n +$((w0 + 1)))
  [ -z "$news" ] || { echo "$news" >&2; fail "b$k: an interrupted ALTER was taken for already applied"; }
  rerun=$((rerun + 2))
done

echo "$name: stopping the row stream and the workload"
touch "$dir/sc.stop"
wait "$stream_pid" || fail "the row stream failed"
ops_bg_stop
streamed=$(cat "$dir/sc.count")
echo "$name: waiting for the replicas to converge"
ops_converge 90
ops_check_equal 0
kill -0 "$daemon_pid" 2>/dev/null || fail "the daemon exited"
ops_dump master voms_otest sc > "$dir/sc.master"
rows=$(grep -vc 'CREATE TABLE' "$dir/sc.master")
[ "$rows" -gt 100 ] || fail "only $rows rows in voms_otest.sc on the master"
grep -q '`g1` decimal(10,2) NOT NULL DEFAULT 1.50' "$dir/sc.master" || fail "voms_otest.sc on the master lacks its last columns"
for r in replica1 replica2; do
  ops_dump "$r" voms_otest sc > "$dir/sc.$r"
  cmp -s "$dir/sc.master" "$dir/sc.$r" || { diff "$dir/sc.master" "$dir/sc.$r" | head -10 >&2; fail "$r: voms_otest.sc differs from the master row by row"; }
  [ "$(sql "$r" -e "SHOW CREATE TABLE voms_otest.big")" = "$(sql master -e "SHOW CREATE TABLE voms_otest.big")" ] ||
    fail "$r: voms_otest.big has another definition than the master's"
  pending=$(sql "$r" -e "SELECT COALESCE(ddl_seq_pending, 'none') FROM vomsrepl.progress WHERE channel = '$r'")
  [ "$pending" = none ] || fail "$r: ddl_seq_pending is still $pending"
done
bad='^[^ ]+ (error|critical) '
! grep -qiE "$bad" "$dir/run.log" || { grep -iE "$bad" "$dir/run.log" >&2; fail "error lines in the log"; }
ops_stop_daemon
echo "$name: sc: $rows rows equal row by row on both replicas after $streamed streamed transactions and $streamed_ddl DDL"
echo "FIGURE: scenario=$name injected=\"ADD/DROP/move/retype columns while rows stream ($((streamed_ddl - 1)) ALTER TABLE), daemon kill -9 while the replicas ran an ALTER ($crashes_done)\" times=$((streamed_ddl - 1 + crashes_done)) ddl_statements=$ddl crashes=$crashes_done ddl_recovered_already_run=$recovered ddl_rerun_interrupted=$rerun master_txns=$master_txns journaled=$journaled lost=0 duplicated=0 result=converged"
echo "$name: ok"
