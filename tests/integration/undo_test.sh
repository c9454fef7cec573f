#!/usr/bin/env bash
# `vomsrepl undo` end to end (issue 26) on a sandbox master at the server's defaults
# (binlog_row_metadata=NO_LOG, so names and keys come from a server):
#   * VOMS workload on voms_utest and voms_uother, then a snapshot of voms_utest (every
#     row as HEX of every column, and SHOW CREATE TABLE);
#   * the mistakes, in two transactions: memberships (m) and certificates of three
#     users deleted; certificates of two others suspended by an UPDATE;
#   * more normal work: a VOMS workload on voms_uother, one new CA row in voms_utest;
#   * undo of exactly the mistaken range (--start-gtid/--stop-gtid, --database
#     voms_utest): --plan counts what the mistakes did; the printed SQL holds one
#     statement per row; without a schema server it refuses with the option to give;
#     --execute brings voms_utest back to the snapshot plus the later CA row, nothing
#     else differs;
#   * --execute of the same range again refuses (the rows are back: duplicate keys),
#     names table and key, and changes nothing; an UPDATE undone after the row changed
#     again refuses naming the row, and changes nothing;
#   * without a key, rows are matched by their bytes ('a', 'a ', 'A' under a _ci
#     collation), and a change in case only since the range is refused;
#   * a delete that cascaded (ON DELETE CASCADE) is refused: the engine's deletes are
#     not in the binlog; a DDL in the range is refused as not revertible; so is an empty
#     range.
#
# usage: undo_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4"
name="undo"
# shellcheck source=ops_lib.sh
source "$(dirname "$0")/ops_lib.sh"   # common_lib.sh, and ops_dump
trap cleanup EXIT

"$sandbox" stop --dir "$dir" --purge >/dev/null 2>&1 || true
"$sandbox" start --replicas 1 --dir "$dir" --load-voms utest --load-voms uother >/dev/null
[ "$(sql master -e "SELECT @@binlog_row_metadata")" = "NO_LOG" ] || fail "the master is not at binlog_row_metadata=NO_LOG"
"$repo/tools/voms-workload" --vo utest --transactions 300 --seed 26 --dir "$dir" > "$dir/workload1.log" 2>&1 ||
  fail "workload on voms_utest"
"$repo/tools/voms-workload" --vo uother --transactions 100 --seed 27 --dir "$dir" > "$dir/workload2.log" 2>&1 ||
  fail "workload on voms_uother"

binlogs() {
  local base
  base=$(sql master -e "SELECT @@log_bin_basename")
  ls "$base".[0-9]*
}
undo() { "$vomsrepl" undo $(binlogs) "$@"; }
# Every row, and SHOW CREATE TABLE without its AUTO_INCREMENT counter (a row inserted and
# deleted moves it on: the undo restores rows, not counters).
snapshot() { ops_dump master voms_utest | sed 's/ AUTO_INCREMENT=[0-9]*//' > "$1"; }

snapshot "$dir/before.txt"
g0=$(sql master -e "SELECT @@gtid_binlog_pos")
users=$(sql master -e "SELECT GROUP_CONCAT(userid) FROM (SELECT DISTINCT u.userid FROM voms_utest.usr u
                        JOIN voms_utest.certificate c ON c.usr_id = u.userid JOIN voms_utest.m ON m.userid = u.userid
                        ORDER BY u.userid LIMIT 3) x")
others=$(sql master -e "SELECT GROUP_CONCAT(userid) FROM (SELECT DISTINCT usr_id AS userid FROM voms_utest.certificate
                         WHERE usr_id NOT IN ($users) ORDER BY usr_id LIMIT 2) x")
[ -n "$users" ] && [ -n "$others" ] || fail "the workload left no users with certificates and memberships"
deleted_m=$(sql master -e "SELECT COUNT(*) FROM voms_utest.m WHERE userid IN ($users)")
deleted_c=$(sql master -e "SELECT COUNT(*) FROM voms_utest.certificate WHERE usr_id IN ($users)")
updated_c=$(sql master -e "SELECT COUNT(*) FROM voms_utest.certificate WHERE usr_id IN ($others)")
sql master -e "BEGIN; DELETE FROM voms_utest.m WHERE userid IN ($users);
               DELETE FROM voms_utest.certificate WHERE usr_id IN ($users); COMMIT;"
sql master -e "UPDATE voms_utest.certificate SET suspended = b'1', suspended_reason = 'removed by mistake',
               suspension_reason_code = 'OTHER' WHERE usr_id IN ($others)"
g1=$(sql master -e "SELECT @@gtid_binlog_pos")
# Later normal work.
"$repo/tools/voms-workload" --vo uother --transactions 50 --seed 28 --dir "$dir" > "$dir/workload3.log" 2>&1 ||
  fail "later workload"
sql master -e "INSERT INTO voms_utest.ca (cid, creation_time, description, subject_string)
               VALUES (30001, '2026-12-07 12:00:00', 'added after the mistake', '/CN=later CA')"
snapshot "$dir/mistaken.txt"

range=(--start-gtid "$g0" --stop-gtid "$g1" --database voms_utest)
schema=(--schema-defaults-file "$dir/master/admin.cnf")

# --plan: what the undo would do, per table.
undo "${range[@]}" --plan > "$dir/plan.txt" || { cat "$dir/plan.txt"; fail "undo --plan"; }
grep -q "^undo plan: 2 transaction(s)" "$dir/plan.txt" || { cat "$dir/plan.txt"; fail "plan: not 2 transactions"; }
total=$(awk '$1 == "total" {print $2, $3, $4}' "$dir/plan.txt")
[ "$total" = "$((deleted_m + deleted_c)) $updated_c 0" ] ||
  { cat "$dir/plan.txt"; fail "plan totals '$total', want '$((deleted_m + deleted_c)) $updated_c 0'"; }

# Printing needs the columns: the binlog has no names at NO_LOG.
rc=0; undo "${range[@]}" > "$dir/undo-noschema.sql" 2> "$dir/undo-noschema.err" || rc=$?
[ "$rc" -eq 6 ] && grep -q -- "--schema-defaults-file" "$dir/undo-noschema.err" ||
  { cat "$dir/undo-noschema.err"; fail "undo without names: exit $rc, want 6 naming --schema-defaults-file"; }
undo "${range[@]}" "${schema[@]}" > "$dir/undo.sql" || fail "undo (print)"
[ "$(grep -c '^INSERT INTO `voms_utest`.`m`' "$dir/undo.sql")" -eq "$deleted_m" ] || fail "undo.sql: INSERTs into m"
[ "$(grep -c '^INSERT INTO `voms_utest`.`certificate`' "$dir/undo.sql")" -eq "$deleted_c" ] ||
  fail "undo.sql: INSERTs into certificate"
[ "$(grep -c '^UPDATE `voms_utest`.`certificate`' "$dir/undo.sql")" -eq "$updated_c" ] ||
  fail "undo.sql: UPDATEs of certificate"
# Newest first: the UPDATE's undo comes before the DELETEs'.
first_update=$(grep -n '^UPDATE' "$dir/undo.sql" | head -1 | cut -d: -f1)
first_insert=$(grep -n '^INSERT' "$dir/undo.sql" | head -1 | cut -d: -f1)
[ "$first_update" -lt "$first_insert" ] || fail "undo.sql: not newest first"

# --execute on the master, through the VOMS application's account.
undo "${range[@]}" --execute --target-defaults-file "$dir/master/app.cnf" > "$dir/execute.txt" 2>&1 ||
  { cat "$dir/execute.txt"; fail "undo --execute"; }
grep -q "2 transaction(s) reverted" "$dir/execute.txt" || { cat "$dir/execute.txt"; fail "execute summary"; }
snapshot "$dir/after.txt"
# Only the later CA row differs from the snapshot taken before the mistakes.
diff "$dir/before.txt" "$dir/after.txt" > "$dir/after.diff" || true
[ "$(grep -c '^[<>]' "$dir/after.diff")" -eq 1 ] && grep -q '^> ' "$dir/after.diff" ||
  { head -20 "$dir/after.diff"; fail "after undo, voms_utest differs from the snapshot by more than the later CA row"; }
grep -q "$(hex '/CN=later CA' | tr a-f A-F)" "$dir/after.diff" || { cat "$dir/after.diff"; fail "the later CA row"; }

# Again: the rows are back (the newest, the certificates' UPDATE, no longer has the values
# the mistake left; the INSERTs would find their keys): refused, nothing changed.
rc=0; undo "${range[@]}" --execute --target-defaults-file "$dir/master/app.cnf" > "$dir/again.txt" 2>&1 || rc=$?
[ "$rc" -eq 6 ] || { cat "$dir/again.txt"; fail "undo --execute again: exit $rc, want 6"; }
grep -q 'row differs from the source.s before image on UPDATE in `voms_utest`.`certificate`, key (id=' "$dir/again.txt" &&
  grep -q "GTID $g1" "$dir/again.txt" && grep -q "rolled back" "$dir/again.txt" ||
  { cat "$dir/again.txt"; fail "undo again: message"; }
snapshot "$dir/again-after.txt"
cmp -s "$dir/after.txt" "$dir/again-after.txt" || fail "a refused undo changed voms_utest"

# A row changed after the range: its UPDATE cannot be undone without losing that change.
g2=$(sql master -e "SELECT @@gtid_binlog_pos")
sql master -e "UPDATE voms_utest.certificate SET suspended_reason = 'second mistake' WHERE usr_id IN ($others)"
g3=$(sql master -e "SELECT @@gtid_binlog_pos")
victim=$(sql master -e "SELECT MIN(id) FROM voms_utest.certificate WHERE usr_id IN ($others)")
sql master -e "UPDATE voms_utest.certificate SET suspension_reason_code = 'CHANGED SINCE' WHERE id = $victim"
snapshot "$dir/changed.txt"
rc=0; undo --start-gtid "$g2" --stop-gtid "$g3" --database voms_utest --execute \
  --target-defaults-file "$dir/master/app.cnf" > "$dir/changed-undo.txt" 2>&1 || rc=$?
[ "$rc" -eq 6 ] && grep -q "row differs" "$dir/changed-undo.txt" && grep -q "$victim" "$dir/changed-undo.txt" ||
  { cat "$dir/changed-undo.txt"; fail "undo of a row changed since: exit $rc, want 6 naming id $victim"; }
snapshot "$dir/changed-after.txt"
cmp -s "$dir/changed.txt" "$dir/changed-after.txt" || fail "a refused undo changed voms_utest (changed row)"

# Without a key, values are matched by their bytes: of 'a', 'a ' and 'A' (equal in the
# column's collation), the undo of deleting 'A' puts 'A' back, and an UPDATE undone
# after a change only in case is refused.
sql master -e "CREATE TABLE voms_utest.nokey (b VARCHAR(5) COLLATE utf8mb4_general_ci) ENGINE=InnoDB;
               INSERT INTO voms_utest.nokey VALUES ('a'), ('a '), ('A');"
g7=$(sql master -e "SELECT @@gtid_binlog_pos")
sql master -e "DELETE FROM voms_utest.nokey WHERE BINARY b = 'A'"
g8=$(sql master -e "SELECT @@gtid_binlog_pos")
undo --start-gtid "$g7" --stop-gtid "$g8" --database voms_utest --execute \
  --target-defaults-file "$dir/master/admin.cnf" > "$dir/nokey.txt" 2>&1 || { cat "$dir/nokey.txt"; fail "undo on nokey"; }
[ "$(sql master -e "SELECT GROUP_CONCAT(HEX(b) ORDER BY HEX(b)) FROM voms_utest.nokey")" = "41,61,6120" ] ||
  fail "undo on a table without key: $(sql master -e "SELECT GROUP_CONCAT(HEX(b)) FROM voms_utest.nokey")"
g9=$(sql master -e "SELECT @@gtid_binlog_pos")
sql master -e "UPDATE voms_utest.nokey SET b = 'z' WHERE BINARY b = 'a '"
g10=$(sql master -e "SELECT @@gtid_binlog_pos")
sql master -e "UPDATE voms_utest.nokey SET b = 'Z' WHERE BINARY b = 'z'"
rc=0; undo --start-gtid "$g9" --stop-gtid "$g10" --database voms_utest --execute \
  --target-defaults-file "$dir/master/admin.cnf" > "$dir/nokey-changed.txt" 2>&1 || rc=$?
[ "$rc" -eq 6 ] || { cat "$dir/nokey-changed.txt"; fail "undo after a change in case only: exit $rc, want 6"; }
[ "$(sql master -e "SELECT GROUP_CONCAT(HEX(b) ORDER BY HEX(b)) FROM voms_utest.nokey")" = "41,5A,61" ] ||
  fail "a refused undo changed voms_utest.nokey"

# A delete that cascaded: the engine's deletes in the referring table are not in the
# binlog, so the undo refuses rather than restore the parent alone.
sql master -e "CREATE TABLE voms_utest.parent (id INT PRIMARY KEY) ENGINE=InnoDB;
               CREATE TABLE voms_utest.child (id INT PRIMARY KEY, p INT,
                 CONSTRAINT fk_child FOREIGN KEY (p) REFERENCES voms_utest.parent (id) ON DELETE CASCADE) ENGINE=InnoDB;
               INSERT INTO voms_utest.parent VALUES (1), (2); INSERT INTO voms_utest.child VALUES (10, 1), (20, 2);"
g5=$(sql master -e "SELECT @@gtid_binlog_pos")
sql master -e "DELETE FROM voms_utest.parent WHERE id = 1"
g6=$(sql master -e "SELECT @@gtid_binlog_pos")
rc=0; undo --start-gtid "$g5" --stop-gtid "$g6" --database voms_utest --execute \
  --target-defaults-file "$dir/master/app.cnf" > "$dir/cascade.txt" 2>&1 || rc=$?
[ "$rc" -eq 6 ] && grep -q 'fk_child' "$dir/cascade.txt" && grep -q "ON DELETE CASCADE" "$dir/cascade.txt" ||
  { cat "$dir/cascade.txt"; fail "undo of a cascading delete: exit $rc, want 6 naming the foreign key"; }
[ "$(sql master -e "SELECT COUNT(*) FROM voms_utest.parent")" -eq 1 ] || fail "a refused undo changed voms_utest.parent"

# DDL in the range is not revertible.
g4=$(sql master -e "SELECT @@gtid_binlog_pos")
sql master -e "ALTER TABLE voms_utest.ca ADD COLUMN note VARCHAR(10) NULL; UPDATE voms_utest.ca SET note = 'x'"
rc=0; undo --start-gtid "$g4" --database voms_utest "${schema[@]}" > /dev/null 2> "$dir/ddl.err" || rc=$?
[ "$rc" -eq 6 ] && grep -q "cannot be undone" "$dir/ddl.err" || { cat "$dir/ddl.err"; fail "DDL in range: exit $rc"; }

# An empty range is not a success.
rc=0; undo --start-gtid "$g1" --stop-gtid "$g1" --database voms_utest --plan > /dev/null 2> "$dir/empty.err" || rc=$?
[ "$rc" -eq 6 ] && grep -q "nothing to undo" "$dir/empty.err" || { cat "$dir/empty.err"; fail "empty range: exit $rc"; }

echo "FIGURE: undo rows_restored=$((deleted_m + deleted_c)) rows_reverted=$updated_c"
echo "undo: ok"
