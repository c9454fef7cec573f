#!/usr/bin/env bash
# `vomsrepl stats --master --follow` (issue 26 item 3): a JSON line per interval of
# what came in, against a master at the server's defaults. The interval lines add up
# exactly to the totals printed when it is stopped and to the rows the workload made;
# the table of a one-transaction bulk INSERT shows its 3,000 rows and that transaction
# is the largest, named by its GTID; once the master is idle a line says caught up
# (lag 0); --interval without --follow is refused.
#
# usage: stats_follow_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4" name="stats_follow_test"
# shellcheck source=common_lib.sh
source "$(dirname "$0")/common_lib.sh"
trap cleanup EXIT

"$sandbox" stop --dir "$dir" --purge >/dev/null 2>&1 || true
"$sandbox" start --replicas 0 --dir "$dir" --load-voms follow >/dev/null
eval "$("$sandbox" env --dir "$dir")"
out=$(mktemp -d)
trap 'rm -rf "$out"; cleanup' EXIT
export VOMSREPL_MASTER_DEFAULTS_FILE

start=$(sql master -e "SELECT @@gtid_binlog_pos")
"$vomsrepl" stats --master --follow --interval 1 --format=json --start-gtid "$start" \
  > "$out/follow.json" 2> "$out/follow.err" &
follower=$!
cleanup_pids=("$follower")
fail_logs=("$out/follow.err")
dump_thread() { [ "$(sql master -e "SELECT COUNT(*) FROM information_schema.processlist WHERE command LIKE 'Binlog Dump%'")" -ge 1 ]; }
await 60 "the follower's dump thread on the master" dump_thread

"$repo/tools/voms-workload" --vo follow --transactions 40 --seed 3 --dir "$dir" >/dev/null
big_gtid=$(sql master -e "CREATE TABLE voms_follow.bulk (id INT PRIMARY KEY, v VARCHAR(100));
  INSERT INTO voms_follow.bulk SELECT seq, REPEAT('x', 100) FROM voms_follow.seq_1_to_3000; SELECT @@last_gtid")
"$repo/tools/voms-workload" --vo follow --transactions 40 --seed 4 --dir "$dir" >/dev/null
end=$(sql master -e "SELECT @@gtid_binlog_pos")
# Idle now: a line after the bulk INSERT says caught up.
caught_up() {
  python3 - "$out/follow.json" <<'PY'
import json, sys
seen_bulk = False
for line in open(sys.argv[1]):
    try:
        v = json.loads(line)
    except ValueError:
        continue  # a line being written
    seen_bulk = seen_bulk or any(t["table"] == "bulk" for t in v.get("tables", []))
    if seen_bulk and v.get("caught_up") is True and v.get("lag_seconds") == 0:
        sys.exit(0)
sys.exit(1)
PY
}
await 60 "a line saying caught up after the workload" caught_up
kill -INT "$follower"
wait "$follower" || fail "stats --follow exited with $?"
cleanup_pids=() fail_logs=()

# The rows the master made since $start, counted from its binlog files by `stats`.
files=$(ls "$VOMSREPL_MASTER_BINLOG_DIR"/*-bin.[0-9]* | sort)
# shellcheck disable=SC2086
"$vomsrepl" stats --format=json --start-gtid "$start" $files > "$out/files.json"
python3 - "$out/follow.json" "$out/files.json" "$big_gtid" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
files = json.load(open(sys.argv[2]))
big_gtid = sys.argv[3]
intervals, totals = lines[:-1], lines[-1]
assert "event_types" in totals and intervals, "expected interval lines, then the totals"
assert all("seconds" in v and "rows" in v for v in intervals), "an interval line without its figures"
rows = sum(v["rows"] for v in intervals)
trx = sum(v["transactions"] for v in intervals)
assert rows == totals["rows"] == files["rows"], (rows, totals["rows"], files["rows"])
assert trx == totals["transactions"] == files["transactions"], (trx, totals["transactions"], files["transactions"])
assert rows > 3000, rows
per_table = {}
for v in intervals:
    for t in v["tables"]:
        per_table[(t["db"], t["table"])] = per_table.get((t["db"], t["table"]), 0) + t["rows"]
assert per_table.get(("voms_follow", "bulk")) == 3000, per_table
want = {(t["db"], t["table"]): t["inserted"] + t["updated"] + t["deleted"] for t in files["tables"]}
assert per_table == want, (per_table, want)
largest = max((l for v in intervals for l in v["largest_transactions"]), key=lambda l: l["bytes"])
assert largest["transaction"] == big_gtid and largest["bytes"] > 300000, (largest, big_gtid)
assert all(v["lag_seconds"] >= 0 for v in intervals if "lag_seconds" in v)
print(f"stats --follow: {len(intervals)} interval lines, {rows} row changes and {trx} transactions, "
      f"equal to the totals and to the files; largest {largest['bytes']} B = {big_gtid}")
PY

set +e
"$vomsrepl" stats --master --interval 2 > /dev/null 2> "$out/err"
rc=$?
set -e
[ "$rc" -eq 2 ] || { cat "$out/err" >&2; fail "--interval without --follow: expected exit 2, got $rc"; }
grep -q -- "--interval needs --master --follow" "$out/err" || { cat "$out/err" >&2; fail "no clear error for --interval"; }
echo "stats_follow: ok (reached $end)"
