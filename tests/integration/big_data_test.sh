#!/usr/bin/env bash
# Big data through `vomsrepl run` (issue 9 item 5, issue 5 item 6), on a sandbox of its
# own (master + 2 read-only replicas, max_allowed_packet 256M everywhere):
#
#   1. one transaction of TXN_MB (64 KiB rows, INSERT ... SELECT on the master) streams
#      through the feeder, the journal (in chunks of CHUNK_MB: [journal]
#      max_transaction_bytes) and both replica runners (each chunk's rows are sent before
#      the next chunk is read; the replica commits once, at the last chunk);
#   2. a row of ROW_MB (one LONGBLOB value), inserted and then updated (a full-image
#      UPDATE event carries it twice).
# Checks: both replicas equal the master (CHECKSUM TABLE of every table, row count and
# bytes), a reader polling replica1 from before the big transaction (its first answer,
# 0, waited for) until it has seen all the rows only ever sees 0 rows or all of them
# (never a part; how many polls fall inside the apply depends on the load: reported), and the daemon's peak RSS while it moves the data (VmHWM,
# reset before each phase through /proc/PID/clear_refs) stays under the budget
# BUDGET_MB = 200 + 10 x CHUNK_MB, whatever TXN_MB is (docs/voms-guide.md, "Memory and big
# transactions"; fitted to two runs, 246 MB at 8 MiB and 768 MB at 64 MiB chunks: 2 queued,
# 1 being filled, the journal's write batch and memtable, and per replica runner its read
# and its bound statements). A row is never split: the UPDATE's event carries it twice (2 R), and
# that event is held at once by the master connection's buffer, the assembler, the
# journal's write and memtable, and by each replica runner's read, decode and bound
# statement (with check_before_image the WHERE binds the before image too): the row
# phase's budget is BUDGET_MB + 20 x ROW_MB (measured: 1077 MB before the before-image
# check, 1394 MB with it, for a 64 MB row).
#
# usage: big_data_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO [TXN_MB [ROW_MB [CHUNK_MB]]]
#   CI:      TXN_MB 512, ROW_MB 64, CHUNK_MB 8   (about 1-2 minutes)
#   by hand: big_data_test.sh tools/sandbox build/src/app/vomsrepl /tmp/big . 2048 64 64
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4"
txn_mb=${5:-512} row_mb=${6:-64} chunk_mb=${7:-8}
name="big-data"
source "$(dirname "$0")/ops_lib.sh"
budget_mb=$((200 + 10 * chunk_mb))
row_budget_mb=$((budget_mb + 20 * row_mb))

OPS_START_ARGS="--master-option max_allowed_packet=256M --replica-option max_allowed_packet=256M"
ops_setup "[journal]
max_transaction_bytes = $((chunk_mb << 20))"
ops_start_daemon

sql master -e "CREATE TABLE voms_otest.big_txn (id INT PRIMARY KEY, pad LONGBLOB NOT NULL) ENGINE=InnoDB;
               CREATE TABLE voms_otest.big_row (id INT PRIMARY KEY, note VARCHAR(20), v LONGBLOB) ENGINE=InnoDB"
ops_converge 60

rss_kb() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }
reset_peak() { echo 5 > "/proc/$daemon_pid/clear_refs"; }

# Phase 1: the big transaction, with a reader polling replica1 all along.
rows=$((txn_mb * 16))
reset_peak
rss_start_kb=$(rss_kb "$daemon_pid" VmRSS)
rm -f "$dir/poll.stop" "$dir/poll.counts"
(
  while [ ! -e "$dir/poll.stop" ]; do
    "$sandbox" sql replica1 --as reader --dir "$dir" -- -N -B -e "SELECT COUNT(*) FROM voms_otest.big_txn" \
      >> "$dir/poll.counts" 2>/dev/null || true
    sleep 0.05
  done
) &
bg_pid=$!  # ops_cleanup kills it if a check fails
polled() { [ -s "$dir/poll.counts" ]; }
ops_await 60 "a first poll of replica1" polled
grep -qx 0 "$dir/poll.counts" || fail "the poller's first answers are not 0: $(head -3 "$dir/poll.counts" | tr '\n' ' ')"
t0=$(now_ms)
sql master -e "INSERT INTO voms_otest.big_txn
               SELECT seq, REPEAT(CONCAT(MD5(seq), MD5(seq + 1)), 1024) FROM voms_otest.seq_1_to_$rows"
t_master=$(now_ms)
binlog_mb=$(sql master -e "SELECT ROUND(SUM(LENGTH(pad)) / 1048576) FROM voms_otest.big_txn")
ops_converge $((120 + txn_mb / 4))
t_applied=$(now_ms)
polled_all() { [ "$(tail -n1 "$dir/poll.counts")" = "$rows" ]; }
ops_await 60 "a poll of replica1 answering $rows" polled_all
touch "$dir/poll.stop"
wait "$bg_pid"
bg_pid=""
txn_peak_kb=$(rss_kb "$daemon_pid" VmHWM)
polls=$(wc -l < "$dir/poll.counts")
partial=$(awk -v n="$rows" '$1 != 0 && $1 != n' "$dir/poll.counts" | sort -u | head -5 | tr '\n' ' ')
[ -z "$partial" ] || fail "a reader on replica1 saw a part of the big transaction: counts $partial"
grep -qx "$rows" "$dir/poll.counts" || fail "the poller never saw the big transaction on replica1 ($polls polls)"

# Phase 2: one big row, inserted then updated (full row image: before and after).
reset_peak
sql master -e "SET SESSION max_allowed_packet = 256 * 1048576" 2>/dev/null || true
sql master -e "INSERT INTO voms_otest.big_row VALUES (1, 'first', REPEAT('v', $row_mb * 1048576)),
                                                   (2, 'small', 'x')"
sql master -e "UPDATE voms_otest.big_row SET note = 'second' WHERE id = 1"
ops_converge 120
row_peak_kb=$(rss_kb "$daemon_pid" VmHWM)

for r in replica1 replica2; do
  got=$(sql "$r" -e "SELECT COUNT(*), SUM(LENGTH(pad)) FROM voms_otest.big_txn")
  want=$(sql master -e "SELECT COUNT(*), SUM(LENGTH(pad)) FROM voms_otest.big_txn")
  [ "$got" = "$want" ] || fail "$r big_txn: $got, master: $want"
  got=$(sql "$r" -e "SELECT note, LENGTH(v), MD5(v) FROM voms_otest.big_row WHERE id = 1")
  want=$(sql master -e "SELECT note, LENGTH(v), MD5(v) FROM voms_otest.big_row WHERE id = 1")
  [ "$got" = "$want" ] || fail "$r big_row: '$got', master: '$want'"
done
ops_check_equal 0

txn_peak_mb=$((txn_peak_kb / 1024)) row_peak_mb=$((row_peak_kb / 1024))
[ "$txn_peak_mb" -le "$budget_mb" ] ||
  fail "peak RSS ${txn_peak_mb} MB while moving the ${txn_mb} MB transaction, budget ${budget_mb} MB"
[ "$row_peak_mb" -le "$row_budget_mb" ] ||
  fail "peak RSS ${row_peak_mb} MB while moving the ${row_mb} MB row, budget $row_budget_mb MB"
echo "$name: ${txn_mb} MB transaction ($rows rows, ${binlog_mb} MB of values) committed on the master in" \
     "$(( (t_master - t0) / 1000 )) s, on both replicas $(( (t_applied - t_master) / 1000 )) s later;" \
     "$polls polls of replica1 saw only 0 or $rows rows"
echo "FIGURE: scenario=big-data injected=\"one ${txn_mb} MB transaction, one ${row_mb} MB row (insert + update), ${chunk_mb} MB journal chunks\" times=2 rss_start_mb=$((rss_start_kb / 1024)) txn_peak_rss_mb=$txn_peak_mb row_peak_rss_mb=$row_peak_mb budget_mb=$budget_mb row_budget_mb=$row_budget_mb partial_reads=0 polls=$polls master_txns=$master_txns journaled=$journaled lost=0 duplicated=0 result=converged"
