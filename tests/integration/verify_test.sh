#!/usr/bin/env bash
# `vomsrepl verify` end to end (issue 8) against a real sandbox (master + 2 replicas)
# fed by `vomsrepl run`:
#   * voms_vtest as is, voms_vother renamed to voms_vother_r on the replicas, plus a
#     composite-key table with NULL and '' values and a table without primary key;
#   * verify while a VOMS workload runs (small chunks): exit 0, no difference;
#   * rows changed, deleted and inserted by hand on replica1 only (sql_log_bin=0, as
#     root): verify exits 8 and lists exactly those keys on replica1 (missing, extra,
#     different, NULL vs ''), the no-key table as different, and nothing on replica2;
#     --replica replica2 alone exits 0; --format json is valid JSON.
#
# usage: verify_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4"
name="verify_test"
# shellcheck source=ops_lib.sh
source "$(dirname "$0")/ops_lib.sh"
trap ops_cleanup EXIT  # the daemon, the workload ($bg_pid) and the sandbox

"$sandbox" stop --dir "$dir" --purge >/dev/null 2>&1 || true
"$sandbox" start --replicas 2 --dir "$dir" --load-voms vtest --load-voms vother --also-replicas >/dev/null
for r in replica1 replica2; do ops_rename_database "$r" voms_vother voms_vother_r; done

start_gtid=$(sql master -e "SELECT @@gtid_binlog_pos")
ops_config 4261 filter "[filter.rename]" filter 'voms_vother = "voms_vother_r"'
"$vomsrepl" run --config "$dir/vomsrepl.toml" >> "$dir/run.log" 2>&1 &
daemon_pid=$!

# Through the daemon: a composite key with NULL / '' / multi-byte values, and no key.
sql master -e "CREATE TABLE voms_vtest.kv (k1 INT NOT NULL, k2 VARCHAR(20) NOT NULL, v VARCHAR(20) NULL,
                 PRIMARY KEY (k1, k2)) DEFAULT CHARSET=utf8mb4;
               INSERT INTO voms_vtest.kv VALUES (1,'a',NULL),(1,'b',''),(2,'a','x'),(2,'b',NULL),(3,'é','ü€'),(3,'',NULL);
               CREATE TABLE voms_vtest.nokey (a INT, b VARCHAR(10));
               INSERT INTO voms_vtest.nokey VALUES (1,'x'),(1,'x'),(2,NULL),(3,'');"

verify() { "$vomsrepl" verify --config "$dir/vomsrepl.toml" --master-defaults-file "$dir/master/app.cnf" "$@"; }

# Under load: every chunk compared at a matching source position.
"$repo/tools/voms-workload" --vo vtest --transactions 1500 --seed 11 --dir "$dir" > "$dir/workload.log" 2>&1 &
bg_pid=$!
rc=0; verify --chunk-rows 40 > "$dir/verify-load.txt" 2>"$dir/verify-load.err" || rc=$?
[ "$rc" -eq 0 ] || { cat "$dir/verify-load.txt" "$dir/verify-load.err"; fail "verify under load: exit $rc"; }
grep -q "^verify: no differences" "$dir/verify-load.txt" || fail "verify under load: no summary"
kill -0 "$bg_pid" 2>/dev/null || echo "verify_test: warning: the workload ended before verify did" >&2
wait "$bg_pid" || fail "workload failed"
bg_pid=""
rc=0; verify > "$dir/verify-quiet.txt" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || { cat "$dir/verify-quiet.txt"; fail "verify after the workload: exit $rc"; }
# Quiet tables are proven identical by the CHECKSUM TABLE first pass (no chunk read)...
grep -Eq "^replica1: [0-9]+ tables \([1-9][0-9]* identical by CHECKSUM TABLE\)" "$dir/verify-quiet.txt" ||
  { cat "$dir/verify-quiet.txt"; fail "the quiet verify did not use CHECKSUM TABLE"; }
# ... and --chunks-only compares every table in chunks.
rc=0; verify --chunks-only > "$dir/verify-chunks.txt" 2>&1 || rc=$?
[ "$rc" -eq 0 ] && grep -q "^replica1: [0-9]* tables (0 identical by CHECKSUM TABLE)" "$dir/verify-chunks.txt" ||
  { cat "$dir/verify-chunks.txt"; fail "verify --chunks-only: exit $rc"; }

# Damage replica1 only, as root, outside any binlog.
u1=$(sql master -e "SELECT MIN(userid) FROM voms_vtest.usr")
u2=$(sql master -e "SELECT MAX(userid) FROM voms_vtest.usr")
m1=$(sql master -e "SELECT MAX(mapping_id) FROM voms_vtest.m")
a1=$(sql master -e "SELECT CONCAT(a_id, ',', u_id) FROM voms_vtest.usr_attrs ORDER BY a_id, u_id LIMIT 1")
o1=$(sql master -e "SELECT MIN(userid) FROM voms_vother.usr")
g1=$(sql master -e "SELECT group_id FROM voms_vtest.acl2 LIMIT 1")
sql replica1 -e "SET SESSION sql_log_bin=0; SET SESSION foreign_key_checks=0;
  UPDATE voms_vtest.usr SET email_address='changed@example.org' WHERE userid=$u1;
  UPDATE voms_vtest.usr SET address=IF(address IS NULL, '', NULL) WHERE userid=$u2;
  DELETE FROM voms_vtest.m WHERE mapping_id=$m1;
  INSERT INTO voms_vtest.acl2 (acl_id, group_id, defaultACL, role_id) VALUES (999999, $g1, b'1', NULL);
  UPDATE voms_vtest.usr_attrs SET a_value=CONCAT(COALESCE(a_value, ''), '!') WHERE (a_id, u_id) = ($a1);
  UPDATE voms_vtest.kv SET v='' WHERE k1=2 AND k2='b';
  UPDATE voms_vtest.kv SET v=NULL WHERE k1=1 AND k2='b';
  DELETE FROM voms_vtest.kv WHERE k1=3 AND k2='é';
  INSERT INTO voms_vtest.nokey VALUES (2, NULL);
  UPDATE voms_vother_r.usr SET name=CONCAT(COALESCE(name, ''), 'x') WHERE userid=$o1;"

rc=0; verify --chunk-rows 25 --format json > "$dir/verify.json" 2>"$dir/verify.err" || rc=$?
[ "$rc" -eq 8 ] || { cat "$dir/verify.json" "$dir/verify.err"; fail "verify after damage: exit $rc, want 8"; }
python3 - "$dir/verify.json" "$u1" "$u2" "$m1" "$a1" "$o1" <<'PY' || fail "verify report (see $dir/verify.json)"
import json, sys
path, u1, u2, m1, a1, o1 = sys.argv[1:]
d = json.load(open(path))
got = set()
for t in d["tables"]:
    if t["replica"] == "replica2":
        assert t["identical"], ("replica2 differs", t)
        continue
    if t["table"] == "nokey" and t["database"] == "voms_vtest":
        assert not t["identical"] and t["primary_key"] == [] and t["master_rows"] == 4 and t["replica_rows"] == 5, t
        continue
    assert t["aligned"], t
    for k in t["keys"]:
        got.add((t["replica_database"], t["table"], k["kind"], ",".join(k["key"])))
    assert t["keys_total"] == len(t["keys"]), t
want = {
    ("voms_vtest", "usr", "different_values", u1),
    ("voms_vtest", "usr", "different_values", u2),
    ("voms_vtest", "m", "missing_on_replica", m1),
    ("voms_vtest", "acl2", "extra_on_replica", "999999"),
    ("voms_vtest", "usr_attrs", "different_values", a1),
    ("voms_vtest", "kv", "different_values", "2,b"),
    ("voms_vtest", "kv", "different_values", "1,b"),
    ("voms_vtest", "kv", "missing_on_replica", "3,é"),
    ("voms_vother_r", "usr", "different_values", o1),
}
assert got == want, ("got", sorted(got - want), "missing", sorted(want - got))
r2 = [t for t in d["tables"] if t["replica"] == "replica2"]
r1 = [t for t in d["tables"] if t["replica"] == "replica1"]
assert len(r1) == len(r2) and len(r2) >= 70, (len(r1), len(r2))
assert d["identical"] is False
print("verify_test: report ok:", len(want), "keys on replica1, 0 on replica2,", len(r2), "tables per replica")
PY
rc=0; verify --replica replica2 > "$dir/verify-r2.txt" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || { cat "$dir/verify-r2.txt"; fail "verify --replica replica2: exit $rc"; }
rc=0; verify --replica replica1 --db voms_vother > "$dir/verify-r1-other.txt" 2>&1 || rc=$?
[ "$rc" -eq 8 ] && grep -q "voms_vother.usr (voms_vother_r.usr on the replica): DIFFERENT: 1 keys" "$dir/verify-r1-other.txt" \
  || { cat "$dir/verify-r1-other.txt"; fail "verify --db voms_vother: exit $rc"; }

kill -TERM "$daemon_pid"; wait "$daemon_pid" || true; daemon_pid=""
echo "verify_test: ok"
