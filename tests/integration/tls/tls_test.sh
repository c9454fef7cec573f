#!/usr/bin/env bash
# TLS to the master against real servers (issue 4 item 3, issue 9 item 10).
#
# A sandbox made with `tools/sandbox start --tls` (throw-away CA, server certificate for
# 127.0.0.1/localhost, a second "wrong" CA; vomsrepl_repl has REQUIRE SSL; every TCP
# option file carries ssl-ca and ssl-verify-server-cert=1), plus a plain master without
# TLS for the downgrade checks. Both paths are tested:
#   * [master.tls] in the daemon configuration (check-config, run),
#   * the option file's ssl-* keys (dump/stats --master read only those).
# What must hold:
#   (a) right CA + verification: streams; the preflight "tls" line names the cipher;
#   (b) wrong CA: refused, exit 6, one line saying the certificate could not be verified
#       and how to fix it;
#   (c) verification off: no ca_file connects with a warning; a name mismatch connects
#       with a warning; a wrong ca_file is still refused (Connector/C checks the chain
#       whenever a CA is given);
#   (d) the account requires TLS, the client does not use it: refused with a hint;
#   (e) `vomsrepl run` with [master.tls] streams and applies to a replica (over TLS too);
#   (f) TLS asked for, master without TLS: refused, never a silent plaintext session
#       (Connector/C 3.3 itself falls back when the certificate is not verified);
#   (g) a REQUIRE X509 account: [master.tls] cert_file/key_file log in, nothing else does;
#   no password in any output.
#
# usage: tls_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4" name="tls_test"
# shellcheck source=tls_lib.sh
source "$(dirname "$0")/tls_lib.sh"

tls_sandboxes tls 0  # $dir: TLS, master + replica1; $plain: a master without TLS
[ "$(sql master -e "SELECT ssl_type FROM mysql.user WHERE user = 'vomsrepl_repl'")" = "ANY" ] ||
  fail "vomsrepl_repl should REQUIRE SSL in a --tls sandbox"

# conf NAME MASTER_CNF [TOML LINES for [master]...] -- [TOML LINES for [master.tls]...]
conf() {
  local name=$1 base=$2 l master=""
  shift 2
  for l in "$@"; do
    if [ "$l" = "--" ]; then l="[master.tls]"; fi
    master+="$l"$'\n'
  done
  tls_config "$name" "$base" 4261 "$VOMSREPL_REPLICA1_DEFAULTS_FILE" "$master" "" ""
}

"$repo/tools/voms-workload" --vo tls --transactions 40 --seed 3 --dir "$dir" >/dev/null

# ---- (a) right CA, verification on ------------------------------------------------------
# Option-file path: the sandbox's repl.cnf has ssl-ca and ssl-verify-server-cert=1.
expect_exit 0 a_stats "$vomsrepl" stats --master --server-id 4262 --format=json \
  --master-defaults-file "$VOMSREPL_MASTER_DEFAULTS_FILE"
grep -qE 'master stream: .*TLS TLSv1\.[23] [A-Z0-9_-]+' "$out/a_stats.err" ||
  { cat "$out/a_stats.err" >&2; fail "a_stats: the stream log line names no TLS cipher"; }
files=$(ls "$VOMSREPL_MASTER_BINLOG_DIR"/*-bin.[0-9]* | sort)
# shellcheck disable=SC2086
"$vomsrepl" stats --format=json $files > "$out/a_files.json"
tables() { python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["tables"], sort_keys=True))' "$1"; }
[ "$(tables "$out/a_stats.out")" = "$(tables "$out/a_files.json")" ] || fail "a_stats: TLS stream differs from the files"
grep -q 'voms_tls' "$out/a_stats.out" || fail "a_stats: no voms_tls rows seen"
# Configuration path: check-config prints the preflight, its tls line names the cipher.
c=$(conf a "$(cnf a_plain "$VOMSREPL_MASTER_DEFAULTS_FILE")" -- "enabled = true" "ca_file = \"$ca\"" "verify_server_cert = true")
expect_exit 0 a_check "$vomsrepl" check-config --config "$c"
grep -qE "^ok +tls: TLSv1\.[23] [A-Z0-9_-]+, server certificate verified against $ca" "$out/a_check.out" ||
  { cat "$out/a_check.out" >&2; fail "a_check: no verified tls line"; }
echo "(a) ok: $(grep -E '^ok +tls:' "$out/a_check.out")"

# ---- (b) wrong CA: refused ------------------------------------------------------------------
f=$(cnf b "$VOMSREPL_MASTER_DEFAULTS_FILE" "ssl-ca=$wrong_ca" "ssl-verify-server-cert=1")
expect_exit 6 b_stats "$vomsrepl" stats --master --server-id 4262 --master-defaults-file "$f"
one_error b_stats "certificate could not be verified" "fix:" "ssl-ca in $f"
c=$(conf b "$out/a_plain.cnf" -- "enabled = true" "ca_file = \"$wrong_ca\"")
expect_exit 6 b_run "$vomsrepl" run --config "$c"
grep -qF "certificate could not be verified" "$out/b_run.err" "$out/b.log" 2>/dev/null ||
  { cat "$out/b_run.err" "$out/b.log" >&2 2>/dev/null; fail "b_run: no verification message"; }
grep -qF "[master.tls] ca_file" "$out/b_run.err" "$out/b.log" 2>/dev/null ||
  { cat "$out/b_run.err" "$out/b.log" >&2 2>/dev/null; fail "b_run: the fix does not name [master.tls] ca_file"; }
echo "(b) ok: $(grep '^vomsrepl: ' "$out/b_stats.err")"

# ---- (c) verification off -------------------------------------------------------------------
c=$(conf c1 "$out/a_plain.cnf" -- "enabled = true" "verify_server_cert = false")
expect_exit 0 c1_check "$vomsrepl" check-config --config "$c"
grep -qE '^warn +tls: TLSv1\.[23] .*server certificate NOT verified' "$out/c1_check.out" ||
  { cat "$out/c1_check.out" >&2; fail "c1: no warning for an unverified certificate"; }
# A name the certificate does not list (127.1 is 127.0.0.1, but not in subjectAltName).
c=$(conf c2 "$out/a_plain.cnf" 'host = "127.1"' "port = $VOMSREPL_MASTER_PORT" -- "enabled = true" "ca_file = \"$ca\"")
expect_exit 6 c2_check "$vomsrepl" check-config --config "$c"
grep -qE '^FAIL +tls: .*does not match the host name' "$out/c2_check.out" ||
  { cat "$out/c2_check.out" >&2; fail "c2: a name mismatch was not refused with verification on"; }
c=$(conf c3 "$out/a_plain.cnf" 'host = "127.1"' "port = $VOMSREPL_MASTER_PORT" -- "enabled = true" "ca_file = \"$ca\"" \
  "verify_server_cert = false")
expect_exit 0 c3_check "$vomsrepl" check-config --config "$c"
grep -qE '^warn +tls: .*host name NOT checked' "$out/c3_check.out" ||
  { cat "$out/c3_check.out" >&2; fail "c3: no warning for an unchecked host name"; }
c=$(conf c4 "$out/a_plain.cnf" -- "enabled = true" "ca_file = \"$wrong_ca\"" "verify_server_cert = false")
expect_exit 6 c4_check "$vomsrepl" check-config --config "$c"
grep -qE '^FAIL +tls: .*could not be verified.*chain is checked whenever ca_file is set' "$out/c4_check.out" ||
  { cat "$out/c4_check.out" >&2; fail "c4: a wrong ca_file must be refused even with verification off"; }
f=$(cnf c5 "$VOMSREPL_MASTER_DEFAULTS_FILE" "ssl-enforce=1")
expect_exit 0 c5_stats "$vomsrepl" stats --master --server-id 4262 --master-defaults-file "$f"
grep -qE 'warn.*tls: TLSv1\.[23] .*NOT verified' "$out/c5_stats.err" ||
  { cat "$out/c5_stats.err" >&2; fail "c5: stats over unverified TLS gave no warning"; }
echo "(c) ok: $(grep -E '^warn +tls:' "$out/c3_check.out")"

# ---- (d) the account requires TLS, the client does not use it ---------------------------------
expect_exit 6 d_stats "$vomsrepl" stats --master --server-id 4262 --master-defaults-file "$out/a_plain.cnf"
one_error d_stats "Access denied" "REQUIRE SSL" "ssl-ca"
c=$(conf d "$out/a_plain.cnf")
expect_exit 6 d_check "$vomsrepl" check-config --config "$c"
grep -qE '^FAIL +reachable: .*Access denied.*fix: .*require TLS.*enable \[master.tls\]' "$out/d_check.out" ||
  { cat "$out/d_check.out" >&2; fail "d_check: no TLS hint on access denied"; }
echo "(d) ok: $(grep '^vomsrepl: ' "$out/d_stats.err")"

# ---- (f) TLS asked for, master without TLS: never a plaintext session --------------------------
plain_cnf="$plain/master/repl.cnf"
for v in true false; do
  ca_line="ca_file = \"$ca\""
  [ "$v" = false ] && ca_line=""
  c=$(conf "f_$v" "$plain_cnf" -- "enabled = true" "$ca_line" "verify_server_cert = $v")
  expect_exit 6 "f_$v" "$vomsrepl" run --config "$c"
  grep -qF "the master offers no TLS but TLS is required" "$out/f_$v.err" "$out/f_$v.log" 2>/dev/null ||
    { cat "$out/f_$v.err" "$out/f_$v.log" >&2 2>/dev/null; fail "f_$v: plaintext master not refused"; }
done
# Option file with ssl-ca but no verification: the connector alone would go plaintext.
f=$(cnf f_file "$plain_cnf" "ssl-ca=$ca")
expect_exit 6 f_file "$vomsrepl" stats --master --server-id 4262 --master-defaults-file "$f"
one_error f_file "offers no TLS but TLS is required" "fix:"
echo "(f) ok: $(grep '^vomsrepl: ' "$out/f_file.err")"

# ---- (g) client certificate: the account requires X509, [master.tls] cert_file/key_file ---------
(
  umask 077
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$out/client.key" \
    -out "$out/client.csr" -subj "/O=vomsrepl sandbox/CN=vomsrepl_repl" 2>/dev/null
  printf '%s\n' "basicConstraints=CA:FALSE" "extendedKeyUsage=clientAuth" > "$out/client.ext"
  openssl x509 -req -in "$out/client.csr" -CA "$dir/tls/ca.pem" -CAkey "$dir/tls/ca.key" -set_serial 0x7e57 \
    -days 2 -extfile "$out/client.ext" -out "$out/client.pem" 2>/dev/null
) || fail "g: could not make a client certificate"
sql master -e "SET sql_log_bin = 0; ALTER USER 'vomsrepl_repl'@'127.0.0.1' REQUIRE X509"
c=$(conf g1 "$out/a_plain.cnf" -- "enabled = true" "ca_file = \"$ca\"")
expect_exit 6 g1_check "$vomsrepl" check-config --config "$c"
grep -qE '^FAIL +reachable: .*Access denied' "$out/g1_check.out" || { cat "$out/g1_check.out" >&2; fail "g1: X509 account without a client certificate"; }
c=$(conf g2 "$out/a_plain.cnf" -- "enabled = true" "ca_file = \"$ca\"" "cert_file = \"$out/client.pem\"" \
  "key_file = \"$out/client.key\"")
expect_exit 0 g2_check "$vomsrepl" check-config --config "$c"
grep -qE '^ok +tls: TLSv1\.[23] .*verified' "$out/g2_check.out" || { cat "$out/g2_check.out" >&2; fail "g2: client certificate refused"; }
sql master -e "SET sql_log_bin = 0; ALTER USER 'vomsrepl_repl'@'127.0.0.1' REQUIRE SSL"
echo "(g) ok: client certificate accepted for a REQUIRE X509 account, refused without it"

# ---- (e) vomsrepl run with [master.tls] streams and applies -----------------------------------
c=$(conf e "$out/a_plain.cnf" -- "enabled = true" "ca_file = \"$ca\"" "verify_server_cert = true")
"$vomsrepl" run --config "$c" > "$out/e_run.out" 2>&1 &
daemon_pid=$!
"$repo/tools/voms-workload" --vo tls --transactions 40 --seed 4 --dir "$dir" >/dev/null
tls_converge e voms_tls
grep -qE 'master stream: .*TLS TLSv1\.[23] ' "$out/e.log" || { cat "$out/e.log" >&2; fail "e: no TLS stream logged"; }
echo "(e) ok: $(grep -oE 'master stream: .*TLS TLSv1\.[23] [A-Z0-9_-]+' "$out/e.log" | head -1)"

# ---- no secret in any output ---------------------------------------------------------------------
for f in "$dir"/master/*.cnf "$dir"/replica1/*.cnf "$plain"/master/*.cnf; do
  pw=$(sed -n 's/^password=//p' "$f")
  [ -n "$pw" ] || continue
  if grep -rqF -- "$pw" "$out"/*.out "$out"/*.err "$out"/*.log; then fail "a password from $f appears in the output"; fi
done
echo "tls_test: all TLS checks passed"
