#!/usr/bin/env bash
# Hostile identifiers and values (issue 9, item 8), on a sandbox of its own (master +
# 2 read-only replicas, `vomsrepl run`):
#
#   * on the master, through the binlog (CREATE DATABASE / TABLE replicated): two VO
#     databases whose names hold a backquote, a single and a double quote, a backslash,
#     a space and non-ASCII, one of them renamed by [filter.rename] to another such
#     name, and one such database outside the filter; tables and columns with such
#     names, a column named like a keyword (`select`, `from`, `order`) and ones with a
#     `?`; values with NUL bytes in VARCHAR/TEXT/BLOB, invalid UTF-8 in VARBINARY/BLOB,
#     4-byte UTF-8 in utf8mb4 columns, latin1 bytes 0x80-0xFF, BINARY(4) with trailing
#     zero bytes, SQL-looking strings, '' next to NULL; INSERT / UPDATE (also of key
#     columns) / DELETE, ALTER TABLE ADD COLUMN with a hostile name, RENAME TABLE
#     (tests/integration/hostile/hostile.sql);
#   * byte-identical: every table of both databases, every row in primary-key order as
#     HEX of every column, and SHOW CREATE TABLE, on each replica equal to the master's
#     (the renamed database under its new name only); the database outside the filter
#     and the renamed one's source name exist on no replica; lost 0 / duplicated 0 by
#     the journal count; voms_otest equal (CHECKSUM TABLE);
#   * nothing executed but the intended statements: replica1 runs with the general
#     query log; every Query / Prepare the apply account sent is of the expected forms
#     (tests/integration/hostile/check_general_log.py): prepared DML with `?`
#     placeholders and no literal, BEGIN/COMMIT/ROLLBACK, the progress-row and session
#     statements, the metadata reads, and the master's DDL verbatim up to the rename
#     (each of them run); the SQL-looking values, NUL, latin1 and invalid UTF-8 bytes
#     never in SQL text, only as bound parameters (Execute lines show them inlined by
#     the server and are not judged).
#
# usage: hostile_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4"
name="hostile"
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/ops_lib.sh"

db_a='voms_a`b '"'"'c" \d é'          # replicated as is
db_r='voms_r`x '"'"'y" \z ü'          # renamed on the replicas to db_t
db_t='voms_R`2 "x'"'"' \ ü目'
db_n='other`db '"'"'n" \ é'           # outside the filter
toml() { local s=${1//\\/\\\\}; printf '"%s"' "${s//\"/\\\"}"; }
msql() { sql master --default-character-set=utf8mb4 "$@"; }

OPS_START_ARGS="--replica-option general_log=1 --replica-option general_log_file=general.log" \
  ops_setup "[filter.rename]
$(toml "$db_r") = $(toml "$db_t")"
grep -qF "rename $db_r -> $db_t" "$dir/check.txt" || { cat "$dir/check.txt"; fail "check-config does not show the rename"; }
schemata() { sql "$1" -e "SELECT HEX(schema_name) FROM information_schema.schemata ORDER BY 1"; }
for r in replica1 replica2; do schemata "$r" > "$dir/schemata0.$r"; done
ops_start_daemon

# The master's statements for one database: hostile.sql with @DB@ its backquoted name
# and @ADB@ its name in double quotes (ANSI_QUOTES). The DDL lines, as the replicas
# must run them (a renamed database's qualifiers rewritten by vomsrepl, backquoted), go
# to $dir/ddl.expected.
ansi() { printf '"%s"' "${1//\"/\"\"}"; }
script() {  # SOURCE-DB REPLICA-DB
  python3 - "$here/hostile/hostile.sql" "$(quote "$1")" "$(quote "$2")" "$(ansi "$1")" "$dir/ddl.expected" \
    > "$dir/script.sql" <<'PY'
import sys
text = open(sys.argv[1], encoding="utf-8").read()
src, dst, src_ansi = sys.argv[2:5]
sys.stdout.write(text.replace("@DB@", src).replace("@ADB@", src_ansi))
with open(sys.argv[5], "a", encoding="utf-8") as f:
    for line in text.split("\n"):
        if line.startswith(("CREATE ", "ALTER ", "RENAME ")):
            f.write(line.rstrip(";").replace("@DB@", dst).replace("@ADB@", src_ansi if src == dst else dst) + "\n")
PY
}
: > "$dir/ddl.expected"
for pair in "$db_a|$db_a" "$db_r|$db_t"; do
  script "${pair%%|*}" "${pair#*|}"
  msql < "$dir/script.sql" || fail "the master refused the statements for ${pair%%|*}"
done
# Outside the filter: a database, a table and rows that must reach no replica.
g0=$(sql master -e "SELECT @@gtid_binlog_pos")
msql <<EOF || fail "the master refused the unfiltered database"
CREATE DATABASE $(quote "$db_n");
CREATE TABLE $(quote "$db_n").\`t \`\`x\` (id INT PRIMARY KEY, v VARCHAR(40));
INSERT INTO $(quote "$db_n").\`t \`\`x\` VALUES (1, '\\'); DROP TABLE x; --'), (2, _utf8mb4 X'00');
EOF
g1=$(sql master -e "SELECT @@gtid_binlog_pos")
not_kept=$(( ${g1##*-} - ${g0##*-} ))
[ "$not_kept" -eq 3 ] || fail "expected 3 master transactions on the unfiltered database, got $not_kept"
# More VO traffic after it, so that the last master transaction is a kept one.
ops_workload 100 71

ops_converge 90
ops_check_equal "$not_kept"
grep -qiE '^[^ ]+ (error|critical) ' "$dir/run.log" && { grep -iE '^[^ ]+ (error|critical) ' "$dir/run.log" >&2; fail "error lines in the log"; }

lat=$(python3 -c 'print(bytes(range(0x80, 0x100)).hex().upper())')
for pair in "$db_a|$db_a" "$db_r|$db_t"; do
  src=${pair%%|*} dst=${pair#*|}
  ops_dump master "$src" > "$dir/dump.master"
  # Not a comparison of two empty or mangled dumps: the master holds what was written.
  [ "$(grep -c '' "$dir/dump.master")" -eq 12 ] || { cat "$dir/dump.master" >&2; fail "master dump of $src: $(grep -c '' "$dir/dump.master") lines, want 3 tables and 4 + 3 + 2 rows"; }
  row1=$(msql -e "SELECT CONCAT_WS('|', HEX(\`select\`), HEX(\`l1 é\`), HEX(\`bn\`), HEX(\`sq \"'\\\`))
                  FROM $(quote "$src").\`t\`\`1 renamed 'q\" \\ é\` WHERE \`k\`\`ey 'é\"\` = 1")
  [ "$row1" = "610062000063|$lat|01000000|$(hex "'); DROP TABLE x; --" | tr a-f A-F)" ] ||
    fail "master row 1 of $src is not what was written: $row1"
  for r in replica1 replica2; do
    ops_dump "$r" "$dst" > "$dir/dump.$r"
    cmp -s "$dir/dump.master" "$dir/dump.$r" ||
      { diff "$dir/dump.master" "$dir/dump.$r" | head -20 >&2; fail "$r: $(quote "$dst") is not byte-identical to the master's $(quote "$src")"; }
  done
  rows=$(grep -vc 'CREATE TABLE' "$dir/dump.master")
  echo "$name: $(quote "$src") -> $(quote "$dst"): 3 tables, $rows rows byte-identical on both replicas"
done
# The only new databases on the replicas: db_a and db_t (not db_r, not db_n).
want=$( (cat "$dir/schemata0.replica1"; hex "$db_a" | tr a-f A-F; echo; hex "$db_t" | tr a-f A-F; echo) | sort)
for r in replica1 replica2; do
  [ "$(schemata "$r" | sort)" = "$want" ] || fail "$r: the databases are not the expected ones (source name of the renamed one, or the unfiltered one, present?)"
done

# Nothing executed on replica1 but the intended statements.
ops_stop_daemon
glog="$dir/replica1/data/general.log"
[ -s "$glog" ] || fail "no general log at $glog"
forbidden=("$(hex "'); DROP TABLE x; --")" "$(hex '"); DELETE FROM t; --')" "$(hex "DROP DATABASE mysql")"
           "$(hex "' OR 1=1")" 00 "$lat" fffec328 c0afeda080ff e9e8ff)
python3 "$here/hostile/check_general_log.py" "$glog" "$dir/ddl.expected" \
  "$(hex "$db_a"),$(hex "$db_t"),$(hex vomsrepl)" "${forbidden[@]}" > "$dir/glog.txt" ||
  { cat "$dir/glog.txt" >&2; fail "replica1's general log holds statements the applier should not have sent"; }
cat "$dir/glog.txt"
ddl=$(grep -c '' "$dir/ddl.expected")
echo "FIGURE: scenario=$name injected=\"hostile database/table/column names (backquote, quotes, backslash, space, non-ASCII, keyword, ?), one database renamed, values with NUL, invalid UTF-8, 4-byte UTF-8, latin1 0x80-0xFF, SQL-looking strings, '' and NULL\" times=2 ddl_statements=$ddl master_txns=$master_txns journaled=$journaled not_kept=$not_kept lost=0 duplicated=0 byte_identical=yes unexpected_statements=0 result=converged"
echo "$name: ok"
