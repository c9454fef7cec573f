#!/usr/bin/env bash
# `vomsrepl dump --format=sql` (issue 26): a type-rich range of a master at the server's
# defaults (binlog_row_metadata=NO_LOG), piped into a fresh server, reproduces the
# master's tables byte for byte (HEX of every column, SHOW CREATE TABLE).
#   * the applier's type matrix (tests/integration/apply/type_matrix.sql: edge values of
#     every type, hostile identifiers, partial row images, keys of every kind, generated
#     columns, AUTO_INCREMENT 0, CREATE TABLE ... SELECT) without its mid-range ALTER,
#     plus a VOMS workload;
#   * dump --format=sql --database voms_types --schema-defaults-file (the master's
#     columns and keys) | mariadb on replica1 (a server with no binlog and no
#     voms_types: the script's CREATE DATABASE makes it): every table equal;
#   * without --schema-defaults-file it refuses (the binlog has no column names);
#   * the VOMS database the same way, through the master's live binlog (--master).
#
# usage: dump_sql_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4"
name="dump_sql"
# shellcheck source=common_lib.sh
source "$(dirname "$0")/common_lib.sh"
trap cleanup EXIT

"$sandbox" stop --dir "$dir" --purge >/dev/null 2>&1 || true
"$sandbox" start --replicas 1 --dir "$dir" >/dev/null
[ "$(sql master -e "SELECT @@binlog_row_metadata")" = "NO_LOG" ] || fail "the master is not at binlog_row_metadata=NO_LOG"
g0=$(sql master -e "SELECT @@gtid_binlog_pos")
# The type matrix without its ALTER in the middle: the schema server knows the tables as
# they are now, so a column added within the range would not match the rows before it.
sed '/^ALTER TABLE multi/,/^UPDATE multi SET extra/d' "$repo/tests/integration/apply/type_matrix.sql" > "$dir/types.sql"
sql master < "$dir/types.sql" || fail "type matrix on the master"
"$sandbox" load-voms --vo dtest --dir "$dir" >/dev/null 2>&1 || fail "load-voms dtest"
"$repo/tools/voms-workload" --vo dtest --transactions 300 --seed 7 --dir "$dir" > "$dir/workload.log" 2>&1 ||
  fail "VOMS workload"

# every_row SERVER DB: per table its SHOW CREATE TABLE (without the AUTO_INCREMENT
# counter) and every row as HEX of every column, sorted (tables without a key included).
every_row() {
  sql "$1" --default-character-set=utf8mb4 -r -e "
    SELECT CONCAT('SELECT ', QUOTE(HEX(table_name)), ', CONCAT_WS(''|'', ',
                  GROUP_CONCAT(CONCAT('COALESCE(HEX(\`', REPLACE(column_name, '\`', '\`\`'), '\`), ''N'')')
                               ORDER BY ordinal_position SEPARATOR ', '),
                  ') AS r FROM \`', REPLACE(table_schema, '\`', '\`\`'), '\`.\`', REPLACE(table_name, '\`', '\`\`'),
                  '\` ORDER BY r; SHOW CREATE TABLE \`', REPLACE(table_schema, '\`', '\`\`'), '\`.\`',
                  REPLACE(table_name, '\`', '\`\`'), '\`;')
    FROM information_schema.columns WHERE table_schema = '$2'
    GROUP BY table_schema, table_name ORDER BY HEX(table_name)" > "$dir/every_row.sql"
  [ -s "$dir/every_row.sql" ] || fail "every_row: no table in $2 on $1"
  sql "$1" --default-character-set=utf8mb4 < "$dir/every_row.sql" | sed 's/ AUTO_INCREMENT=[0-9]*//'
}

base=$(sql master -e "SELECT @@log_bin_basename")
binlogs=("$base".[0-9]*)
[ -f "${binlogs[0]}" ] || fail "no binlog file at $base"
# Files first: --database takes several values.
dump_sql() { "$vomsrepl" dump --format=sql "$@"; }

# Without names: refused, naming the option.
rc=0; dump_sql "${binlogs[@]}" --database voms_types > /dev/null 2> "$dir/noschema.err" || rc=$?
[ "$rc" -eq 6 ] && grep -q -- "--schema-defaults-file" "$dir/noschema.err" ||
  { cat "$dir/noschema.err"; fail "dump --format=sql without names: exit $rc, want 6"; }

dump_sql "${binlogs[@]}" --database voms_types --start-gtid "$g0" --schema-defaults-file "$dir/master/admin.cnf" \
  > "$dir/types-dump.sql" || fail "dump --format=sql of voms_types"
grep -q "^-- GTID " "$dir/types-dump.sql" && grep -q "^BEGIN;" "$dir/types-dump.sql" ||
  fail "the script keeps no transactions"
# The script creates the database: MariaDB logs CREATE DATABASE with it as the default one.
sql replica1 < "$dir/types-dump.sql" > "$dir/types-replay.log" 2>&1 ||
  { tail -5 "$dir/types-replay.log"; fail "the script of voms_types did not run on replica1"; }
every_row master voms_types > "$dir/types-master.txt"
every_row replica1 voms_types > "$dir/types-replica.txt"
[ "$(grep -c . "$dir/types-master.txt")" -ge 40 ] || fail "too few rows compared in voms_types"
diff "$dir/types-master.txt" "$dir/types-replica.txt" > "$dir/types.diff" ||
  { head -20 "$dir/types.diff"; fail "voms_types differs after replaying the script"; }

# --exclude-table by its name alone leaves the table out (and does not even read its
# columns); a range that starts inside a transaction is refused, not written in part.
dump_sql "${binlogs[@]}" --database voms_types --exclude-table nokey --exclude-table 'voms_types.uniq' \
  --start-gtid "$g0" --schema-defaults-file "$dir/master/admin.cnf" > "$dir/excluded.sql" || fail "dump --exclude-table"
! grep -q '`nokey`\|`uniq`' "$dir/excluded.sql" || fail "--exclude-table left rows of the excluded tables"
grep -q '`voms_types`.`composite`' "$dir/excluded.sql" || fail "--exclude-table dropped other tables"
inner=$("$vomsrepl" dump "${binlogs[@]}" --database voms_types --format=json |
        python3 -c 'import json,sys
pos = [json.loads(l)["pos"] for l in sys.stdin if "\"table\":\"multi\"" in l and "\"Table_map\"" in l]
print(pos[0] if pos else "")')
[ -n "$inner" ] || fail "no Table_map of multi found in the JSON dump"
rc=0; dump_sql "${binlogs[@]}" --database voms_types --start-position "$inner" \
  --schema-defaults-file "$dir/master/admin.cnf" > /dev/null 2> "$dir/inner.err" || rc=$?
[ "$rc" -eq 6 ] && grep -q "starts inside a transaction" "$dir/inner.err" ||
  { cat "$dir/inner.err"; fail "dump from inside a transaction: exit $rc, want 6"; }

# The VOMS database, from the live master (its binlog from the oldest file).
"$vomsrepl" dump --master --master-defaults-file "$dir/master/repl.cnf" --format=sql --database voms_dtest \
  --schema-defaults-file "$dir/master/admin.cnf" > "$dir/voms-dump.sql" || fail "dump --master --format=sql"
sql replica1 < "$dir/voms-dump.sql" > "$dir/voms-replay.log" 2>&1 ||
  { tail -5 "$dir/voms-replay.log"; fail "the script of voms_dtest did not run on replica1"; }
every_row master voms_dtest > "$dir/voms-master.txt"
every_row replica1 voms_dtest > "$dir/voms-replica.txt"
diff "$dir/voms-master.txt" "$dir/voms-replica.txt" > "$dir/voms.diff" ||
  { head -20 "$dir/voms.diff"; fail "voms_dtest differs after replaying the script"; }
rows=$(grep -vc "^CREATE\|^  \|^)" "$dir/types-master.txt" "$dir/voms-master.txt" | awk -F: '{s+=$2} END {print s}')
echo "FIGURE: dump_sql lines_compared=$rows"
echo "dump_sql: ok"
