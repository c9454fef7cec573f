#!/usr/bin/env bash
# TLS to the replicas against real servers (issue 20): [replica_tls] (every replica) and
# a replica's own [replica.tls], with the master's refusal of any plaintext fallback.
#
# A sandbox made with `tools/sandbox start --tls` (throw-away CA, server certificates for
# 127.0.0.1/localhost, an unrelated "wrong" CA), plus a plain sandbox (master + 1 replica,
# no TLS) whose replica is the "server without TLS". The replica option files used here
# have their ssl-* keys removed, so TLS comes from the TOML configuration alone (except in
# (e), which tests the option file's own ssl-ca). What must hold:
#   (a) [replica_tls] enabled + the right CA: check-config ok, and `vomsrepl run` converges
#       replica1 (checksums equal) with replica1's applier account set to REQUIRE SSL, so
#       that every replica connection (runner, workers) is TLS;
#   (b) the wrong CA: check-config exits 6 with "FAIL replica replica1: ... certificate
#       could not be verified ...; fix: set [replica.tls] ca_file"; `run` reports the same
#       error for replica1 (log) and applies nothing there;
#   (c) a server without TLS, TLS required ([replica.tls] with verify on, and with
#       verify_server_cert = false): check-config exits 6 naming the replica and "offers no
#       TLS but TLS is required"; `run` the same in its log; never a plaintext session;
#   (d) verify_server_cert = false, said explicitly: connects, with a warning naming it;
#   (e) the issue's case: an option file with ssl-ca but no ssl-verify-server-cert, to a
#       replica without TLS: check-config exits 6 (was: plaintext and "ok");
#   no password in any output.
#
# usage: replica_tls_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4" name="replica_tls_test"
# shellcheck source=tls_lib.sh
source "$(dirname "$0")/tls_lib.sh"

tls_sandboxes rtls 1  # $dir: TLS, master + replica1; $plain: master + a replica without TLS
r1_plain=$(cnf r1_plain "$VOMSREPL_REPLICA1_DEFAULTS_FILE")   # the TLS replica, no ssl-* keys
nontls=$(cnf nontls "$plain/replica1/apply.cnf")              # a replica without TLS

# conf NAME REPLICA_CNF [LINE...]: a 0600 configuration: the master over TLS (its option
# file's ssl-* keys), one [[replica]] replica1 on REPLICA_CNF. The LINEs go after the
# [[replica]] keys (so "[replica.tls]" opens that replica's table); the LINEs after a
# lone "@" go before [[replica]] instead (for [replica_tls]).
conf() {
  local name=$1 replica_cnf=$2 l before="" after="" where=after
  shift 2
  for l in "$@"; do
    if [ "$l" = "@" ]; then where=before; continue; fi
    if [ "$where" = before ]; then before+="$l"$'\n'; else after+="$l"$'\n'; fi
  done
  (umask 077; tls_config "$name" "$VOMSREPL_MASTER_DEFAULTS_FILE" 4263 "$replica_cnf" "" "$before" "$after")
}

# run_until_log NAME CONF PATTERN: starts `vomsrepl run` (CONF made by `conf NAME`), waits
# (60 s) for PATTERN (ERE) in its log and for the master stream, then stops it by its PID
# (SIGTERM), exit 0 expected.
run_until_log() {
  local case_name=$1 c=$2 pattern=$3 deadline
  "$vomsrepl" run --config "$c" > "$out/$case_name.out" 2> "$out/$case_name.err" &
  daemon_pid=$!
  deadline=$(( $(date +%s) + 60 ))
  # The master stream up too: a SIGTERM while it still connects is not this test's subject.
  until grep -qE -- "$pattern" "$out/$case_name.log" 2>/dev/null &&
        grep -qE 'master stream: .*TLS' "$out/$case_name.log"; do
    kill -0 "$daemon_pid" 2>/dev/null || { cat "$out/$case_name.err" "$out/$case_name.log" >&2; fail "$case_name: vomsrepl run exited"; }
    [ "$(date +%s)" -lt "$deadline" ] || { cat "$out/$case_name.log" >&2; fail "$case_name: no '$pattern' in the log within 60 s"; }
    sleep 0.2
  done
  kill -TERM "$daemon_pid"
  local rc=0
  wait "$daemon_pid" || rc=$?
  daemon_pid=""
  [ "$rc" = 0 ] || { cat "$out/$case_name.err" >&2; tail -20 "$out/$case_name.log" >&2; fail "$case_name: vomsrepl run exited with $rc after SIGTERM"; }
}

"$repo/tools/voms-workload" --vo rtls --transactions 30 --seed 5 --dir "$dir" >/dev/null
cases=0

# ---- (b) wrong CA ----------------------------------------------------------------------------
c=$(conf b "$r1_plain" "[replica.tls]" "enabled = true" "ca_file = \"$wrong_ca\"")
expect_exit 6 b_check "$vomsrepl" check-config --config "$c"
grep -qE "^FAIL replica replica1: .*the server's TLS certificate could not be verified.*fix: set \[replica\.tls\] ca_file .*, not $wrong_ca" \
  "$out/b_check.out" || { cat "$out/b_check.out" >&2; fail "b_check: no verification failure naming replica1 and the fix"; }
run_until_log b "$c" "replica replica1: stopped: .*certificate could not be verified"
echo "(b) ok: $(grep -E '^FAIL replica replica1' "$out/b_check.out" | cut -c1-300)"
cases=$((cases + 2))

# ---- (c) a replica without TLS, TLS required -------------------------------------------------
for v in true false; do
  ca_line="ca_file = \"$ca\""
  [ "$v" = false ] && ca_line=""
  c=$(conf "c_$v" "$nontls" "tls = { enabled = true, verify_server_cert = $v${ca_line:+, $ca_line} }")
  expect_exit 6 "c_${v}_check" "$vomsrepl" check-config --config "$c"
  grep -qE '^FAIL replica replica1: .*replica1: the server offers no TLS but TLS is required.*fix: .*\[replica\.tls\] enabled = false' \
    "$out/c_${v}_check.out" || { cat "$out/c_${v}_check.out" >&2; fail "c_$v: a replica without TLS was not refused"; }
  run_until_log "c_$v" "$c" "replica replica1: stopped: .*offers no TLS but TLS is required"
  cases=$((cases + 2))
done
# Nothing reached the replica without TLS: no progress table was created there.
n=$("$sandbox" sql replica1 --dir "$plain" -- -N -B -e \
  "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'vomsrepl'")
[ "$n" = 0 ] || fail "c: the replica without TLS got a vomsrepl schema: a plaintext session was used"
echo "(c) ok: $(grep -E '^FAIL replica replica1' "$out/c_false_check.out" | cut -c1-300)"

# ---- (e) option file with ssl-ca, no verification, replica without TLS -----------------------
f=$(cnf e_file "$plain/replica1/apply.cnf" "ssl-ca=$ca")
c=$(conf e "$f")
expect_exit 6 e_check "$vomsrepl" check-config --config "$c"
grep -qE "^FAIL replica replica1: .*offers no TLS but TLS is required.*fix: .*the ssl-\* keys in $f" "$out/e_check.out" ||
  { cat "$out/e_check.out" >&2; fail "e: ssl-ca without verification to a plaintext replica was not refused"; }
echo "(e) ok: $(grep -E '^FAIL replica replica1' "$out/e_check.out" | cut -c1-300)"
cases=$((cases + 1))

# ---- (d) verification off, said explicitly ---------------------------------------------------
c=$(conf d "$r1_plain" "[replica.tls]" "enabled = true" "verify_server_cert = false")
expect_exit 0 d_check "$vomsrepl" check-config --config "$c"
grep -qE '^warn replica replica1: replica1: TLS TLSv1\.[23] [A-Z0-9_-]+, server certificate NOT verified' "$out/d_check.out" ||
  { cat "$out/d_check.out" >&2; fail "d: no warning for an unverified replica certificate"; }
echo "(d) ok: $(grep -E '^warn replica replica1: replica1: TLS' "$out/d_check.out" | cut -c1-200)"
cases=$((cases + 1))

# ---- (a) [replica_tls] with the right CA: converges, every connection TLS --------------------
sql replica1 -e "SET sql_log_bin = 0; ALTER USER 'vomsrepl_apply'@'127.0.0.1' REQUIRE SSL"
c=$(conf a "$r1_plain" "@" "[replica_tls]" "enabled = true" "ca_file = \"$ca\"")
expect_exit 0 a_check "$vomsrepl" check-config --config "$c"
grep -qE '^ok   replica replica1: reachable' "$out/a_check.out" || { cat "$out/a_check.out" >&2; fail "a_check: replica1 not ok"; }
grep -qF "replica replica1: $r1_plain, on divergence stop, TLS required (certificate verified against $ca)" "$out/a_check.out" ||
  { cat "$out/a_check.out" >&2; fail "a_check: the plan does not say TLS is required for replica1"; }
# Without TLS the REQUIRE SSL account is refused: the test would see a plaintext session.
c_none=$(conf a_none "$r1_plain")
expect_exit 6 a_none_check "$vomsrepl" check-config --config "$c_none"
grep -qE '^FAIL replica replica1: .*Access denied' "$out/a_none_check.out" ||
  { cat "$out/a_none_check.out" >&2; fail "a_none: the REQUIRE SSL account logged in without TLS"; }
"$vomsrepl" run --config "$c" > "$out/a_run.out" 2> "$out/a_run.err" &
daemon_pid=$!
"$repo/tools/voms-workload" --vo rtls --transactions 40 --seed 6 --dir "$dir" >/dev/null
want=$(sql master -e "SELECT @@gtid_binlog_pos")
tls_converge a voms_rtls
if grep -qE 'replica replica1: stopped' "$out/a.log"; then fail "a: replica1 stopped on an error"; fi
echo "(a) ok: replica1 converged at $want over TLS (its account REQUIRE SSL), checksums equal"
cases=$((cases + 2))

# ---- no secret in any output -----------------------------------------------------------------
secrets=0
for f in "$dir"/*/*.cnf "$plain"/*/*.cnf; do
  pw=$(sed -n 's/^password=//p' "$f")
  [ -n "$pw" ] || continue
  secrets=$((secrets + 1))
  if grep -rqF -- "$pw" "$out"/*.out "$out"/*.err "$out"/*.log; then fail "a password from $f appears in the output"; fi
done
[ "$secrets" -ge 4 ] || fail "expected the passwords of at least 4 option files, found $secrets"
echo "FIGURE: scenario=replica-tls injected=\"replica TLS: wrong CA (check-config, run), replica without TLS with TLS required (verify on/off; check-config, run), option file ssl-ca without verification to a replica without TLS, verification off said explicitly; right CA with a REQUIRE SSL applier account (run converges)\" times=$cases exit_codes=0,6 secrets=$secrets leaks=0 result=refused-or-converged"
echo "replica_tls_test: all replica TLS checks passed"
