#!/usr/bin/env bash
# `vomsrepl dump --master` and `stats --master` read a live MariaDB master as a
# replica would, and must see exactly what `dump`/`stats` see in the master's
# binlog files: same rows, same values, same per-table counts.
#
# usage: live_dump_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4" name="live_dump_test"
# shellcheck source=common_lib.sh
source "$(dirname "$0")/common_lib.sh"
trap cleanup EXIT

"$sandbox" stop --dir "$dir" --purge >/dev/null 2>&1 || true
"$sandbox" start --replicas 0 --dir "$dir" --load-voms live >/dev/null
eval "$("$sandbox" env --dir "$dir")"
"$repo/tools/voms-workload" --vo live --transactions 200 --seed 7 --dir "$dir" >/dev/null
sql master -e "FLUSH BINARY LOGS" >/dev/null
"$repo/tools/voms-workload" --vo live --transactions 50 --seed 8 --dir "$dir" >/dev/null

files=$(ls "$VOMSREPL_MASTER_BINLOG_DIR"/*-bin.[0-9]* | sort)
[ "$(echo "$files" | wc -l)" -ge 2 ] || fail "expected at least 2 binlog files"
out=$(mktemp -d)
trap 'rm -rf "$out"; cleanup' EXIT

# Row images and statements must agree line for line (headers differ: the
# master stream starts with an artificial rotate and skips nothing else).
"$vomsrepl" dump --master > "$out/live.txt" 2> "$out/live.err"
# shellcheck disable=SC2086
"$vomsrepl" dump $files > "$out/files.txt"
grep -E '^###' "$out/live.txt" > "$out/live.rows"
grep -E '^###' "$out/files.txt" > "$out/files.rows"
rows=$(grep -c '^###   @' "$out/files.rows")
[ "$rows" -gt 1000 ] || fail "too few row values in the files: $rows"
diff -u "$out/files.rows" "$out/live.rows" | head -40
cmp -s "$out/files.rows" "$out/live.rows"

# The live stream asks for Annotate_rows events (the statement of each rows event):
# the same `#Q>` lines as in the files.
grep -E '^#Q> ' "$out/live.txt" > "$out/live.annotations" || true
grep -E '^#Q> ' "$out/files.txt" > "$out/files.annotations" || true
annotations=$(wc -l < "$out/files.annotations")
[ "$annotations" -gt 100 ] || fail "too few #Q> lines in the files' dump: $annotations"
diff -u "$out/files.annotations" "$out/live.annotations" | head -20
cmp -s "$out/files.annotations" "$out/live.annotations"
# Every Rotate line names a binlog file and nothing else: the first one comes from the
# master's fake ROTATE, whose CRC32 was once printed as 4 bytes of the file name.
rotates=$(grep -c $'\tRotate to ' "$out/live.txt" || true)
[ "$rotates" -ge 2 ] || fail "expected at least 2 Rotate lines in the live dump, got $rotates"
if grep -a $'\tRotate to ' "$out/live.txt" | grep -avE $'\tRotate to [a-z]+-bin\\.[0-9]{6}  pos: [0-9]+$'; then
  fail "a Rotate line of the live dump is not 'Rotate to <binlog file>  pos: N'"
fi
# A diagnostic dump with the server id it picks does not warn about SHOW SLAVE HOSTS (denied
# to the replication account): the id is checked against the running feeders' locks. (An
# id given with --server-id is warned about: nothing tells it apart from a replica's.)
if grep -E -q '^[^ ]+ (warning|error) .*SHOW SLAVE HOSTS' "$out/live.err"; then cat "$out/live.err" >&2; fail "live dump warned"; fi
# JSON lines: valid UTF-8 and JSON; the Rotate's file name is clean; every rows event
# carries the GTID of its transaction, the one of the GTID event before it.
"$vomsrepl" dump --master --server-id 4243 --format=json 2>/dev/null > "$out/live.json"
python3 - "$out/live.json" <<'PY'
import json, re, sys
gtid, rows, rotates = None, 0, 0
for raw in open(sys.argv[1], "rb"):
    ev = json.loads(raw.decode("utf-8"))  # strict: invalid UTF-8 raises
    if ev["type"] == "Rotate":
        rotates += 1
        assert re.fullmatch(r"[a-z]+-bin\.[0-9]{6}", ev["next_file"]), ev
    elif ev["type"] == "Gtid":
        gtid = ev["gtid"]
    elif "op" in ev:
        rows += 1
        assert ev.get("gtid") == gtid and gtid, (ev.get("gtid"), gtid)
assert rows > 100 and rotates >= 2, (rows, rotates)
print("live JSON: %d rows events, each with its GTID; %d Rotate events with clean file names" % (rows, rotates))
PY

# Per-table statistics agree too.
"$vomsrepl" stats --master --server-id 4243 --format=json 2>/dev/null | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["tables"], sort_keys=True))' > "$out/live.stats"
# shellcheck disable=SC2086
"$vomsrepl" stats --format=json $files | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["tables"], sort_keys=True))' > "$out/files.stats"
diff -u "$out/files.stats" "$out/live.stats"

# Starting after a GTID gives only the later transactions.
gtid=$(sql master -e "SELECT @@gtid_binlog_pos")
"$repo/tools/voms-workload" --vo live --transactions 5 --seed 9 --dir "$dir" >/dev/null
n=$("$vomsrepl" dump --master --server-id 4243 --start-gtid "$gtid" 2>/dev/null | grep -c $'\tGTID 0-1-' || true)
[ "$n" -eq 5 ] || fail "expected 5 transactions after $gtid, got $n"

# --follow through a KILL of the dump connection on the master: the stream
# reconnects by itself; SIGTERM ends it cleanly with everything flushed; every
# transaction is seen exactly once and the rows equal the files'.
"$vomsrepl" dump --master --follow --server-id 4244 > "$out/follow.txt" 2> "$out/follow.err" &
follower=$!
cleanup_pids=("$follower")     # SIGTERM at exit, should a check fail
fail_logs=("$out/follow.err")  # shown by fail
dump_threads() { sql master -e "SELECT COUNT(*) FROM information_schema.processlist WHERE command LIKE 'Binlog Dump%'"; }
has_dump_thread() { [ "$(dump_threads)" -ge 1 ]; }
# The KILL must find the follower's dump thread: wait for it rather than sleep.
await 60 "the follower's dump thread on the master" has_dump_thread
"$repo/tools/voms-workload" --vo live --transactions 30 --seed 10 --dir "$dir" >/dev/null
sql master -e "SELECT CONCAT('KILL ', id, ';') FROM information_schema.processlist WHERE command LIKE 'Binlog Dump%'" |
  "$sandbox" sql master --dir "$dir" >/dev/null
reconnect_logged() { grep -q 'reconnect' "$out/follow.err"; }
await 60 "a reconnect logged by the follower after the KILL" reconnect_logged
"$repo/tools/voms-workload" --vo live --transactions 30 --seed 11 --dir "$dir" >/dev/null
# The follower writes its output in 1 MiB blocks (flushed at SIGTERM): a last transaction
# of more than 1 MiB of text makes it write everything up to that transaction, so that
# the test can see (wait for) the follower at the end before it stops it, instead of
# giving it a fixed time.
sql master -e "CREATE TABLE voms_live.follow_marker (id INT PRIMARY KEY, v LONGTEXT);
  INSERT INTO voms_live.follow_marker VALUES (1, REPEAT('m', 2097152))"
end_gtid=$(sql master -e "SELECT @@gtid_binlog_pos")
followed_to() { grep -q $'\tGTID '"$1"' ' "$out/follow.txt"; }
await 60 "the follower at $end_gtid" followed_to "$end_gtid"
kill -TERM "$follower"
wait "$follower" || fail "follower exited with $?"
cleanup_pids=() fail_logs=()
grep -q 'reconnect' "$out/follow.err" || fail "no reconnect logged after KILL"
files=$(ls "$VOMSREPL_MASTER_BINLOG_DIR"/*-bin.[0-9]* | sort)
# shellcheck disable=SC2086
"$vomsrepl" dump $files > "$out/files2.txt"
grep -o $'\tGTID [0-9-]*' "$out/follow.txt" > "$out/follow.gtids"
grep -o $'\tGTID [0-9-]*' "$out/files2.txt" > "$out/files2.gtids"
diff -u "$out/files2.gtids" "$out/follow.gtids" | head -20
cmp -s "$out/files2.gtids" "$out/follow.gtids"
diff <(grep -E '^###' "$out/files2.txt") <(grep -E '^###' "$out/follow.txt") | head -20
cmp -s <(grep -E '^###' "$out/files2.txt") <(grep -E '^###' "$out/follow.txt")

# A bad option file is a clear usage error, not a crash.
set +e
"$vomsrepl" dump --master --master-defaults-file /nonexistent.cnf > /dev/null 2> "$out/err"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "expected usage error (2) with a missing option file, got $rc"
grep -q "cannot read the option file" "$out/err" || { cat "$out/err" >&2; fail "no 'cannot read the option file'"; }

# A wrong password: a one-line preflight error (exit 6) that never shows the password.
sed 's/^password=.*/password=Wr0ng-s3cret/' "$VOMSREPL_MASTER_DEFAULTS_FILE" > "$out/bad.cnf"
chmod 600 "$out/bad.cnf"
set +e
"$vomsrepl" stats --master --defaults-file "$out/bad.cnf" > /dev/null 2> "$out/err"
rc=$?
set -e
[ "$rc" -eq 6 ] || { cat "$out/err" >&2; fail "expected exit 6 with a wrong password, got $rc"; }
grep -q "Access denied" "$out/err" || { cat "$out/err" >&2; fail "no 'Access denied'"; }
if grep -q "Wr0ng-s3cret" "$out/err"; then fail "the password leaked into the error"; fi
echo "live dump: $rows row values and $annotations annotations identical to the files; Rotate lines clean; stats identical; GTID start ok; KILL of the dump thread survived (no loss, no duplicate); bad option file and wrong password refused"
