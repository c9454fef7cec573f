#!/usr/bin/env bash
# Bad configuration and access (issue 9, item 10), on a sandbox of its own (master + 2
# read-only replicas, ops_lib.sh's ops_setup). Each case must give its one-line error
# ("vomsrepl: Code: message" on stderr, exactly one such line) and its documented exit
# code (README.md "Exit codes"), or a warning line where the README says "warned":
#
#   wrong password   in the master's option file: check-config and run exit 6, the line
#                    names the master and the option file; in replica2's: check-config
#                    exits 6 naming replica2 and the option file; `run` keeps feeding
#                    replica1 (it converges) and reports replica2 as "error: ..." in
#                    /status (no retry until `vomsrepl replica start replica2`).
#   password on argv --password X, -pX, --master-password=X and --PASSWORD=X on every
#                    subcommand; --password=X, --pass=X, --passwd X, --replica-Pass X, -p=X,
#                    --passX, --x_passwd=X, -PASS=X on run and dump (any option whose name
#                    contains "pass" in any case, every -p form): exit 2, a message pointing
#                    to option files, the value not echoed (every message is scanned).
#   readable files   an option file with a password at 0644 / 0640 (master's, replica's):
#                    exit 2 naming the file and `chmod 600`; a config file at 0644 with a
#                    `password` key: exit 2 (chmod 600); without one: accepted (exit 0).
#   privileges       replica account without INSERT on voms_%, without READ ONLY ADMIN:
#                    exit 6 naming it; with ALL PRIVILEGES ON *.*: a warning naming it, and
#                    `run` still applies (replica1 in the run case uses it). Replication
#                    account without REPLICATION SLAVE, without BINLOG MONITOR: exit 6
#                    naming it (check-config and run).
#   TLS              a wrong certificate is refused when verification is on: covered by
#                    tests/integration/tls/tls_test.sh (exit 6), not repeated here.
#   secrets          no password of any option file used here (nor a wrong one) appears in
#                    any stdout/stderr of vomsrepl, the daemon log, /status or /metrics, nor
#                    in /proc/PID/environ of the running daemon (whose config holds the
#                    master's password as its `password` key) or of any child of it; the
#                    daemon's core file size limit is 0 (core dumps off).
#
# usage: access_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4"
name="access_test"
source "$(dirname "$0")/ops_lib.sh"

ops_setup
out="$dir/out"
rm -rf "$out"
mkdir -p "$out"
cases=0

randpw() { tr -dc 'A-Za-z0-9' < /dev/urandom | head -c 24 || true; }

# cnf NAME BASE [USER PASSWORD]: a 0600 copy of option file BASE, with its password
# replaced (and user, when given).
cnf() {
  local f="$out/$1.cnf" base=$2
  (
    umask 077
    if [ $# -ge 4 ]; then
      { grep -v -e '^user=' -e '^password=' "$base"; printf 'user=%s\npassword=%s\n' "$3" "$4"; } > "$f"
    else
      { grep -v -e '^password=' "$base"; printf 'password=%s\n' "$3"; } > "$f"
    fi
  )
  echo "$f"
}

# conf NAME MASTER_CNF REPLICA1_CNF REPLICA2_CNF [EXTRA-TOML-LINES]: a configuration
# (0600 unless changed) with a state directory of its own; no HTTP endpoint unless
# CONF_LISTEN gives one.
conf() {
  local f="$out/$1.toml"
  (
    umask 077
    cat > "$f" <<EOF
state_dir = "$out/state-$1"
[master]
defaults_file = "$2"
server_id = 4261
start = "gtid:$start_gtid"
heartbeat_ms = 500
read_timeout_s = 3
connect_timeout_s = 10
${5:-}
[filter]
include_databases = ["voms_*"]
[[replica]]
name = "replica1"
defaults_file = "$3"
[[replica]]
name = "replica2"
defaults_file = "$4"
[http]
listen = "${CONF_LISTEN:-}"
EOF
  )
  echo "$f"
}

source "$(dirname "$0")/expect_lib.sh"
# refused NAME RC PATTERN... -- CMD...: expect_exit + one_error.
refused() {
  local case_name=$1 rc=$2 patterns=()
  shift 2
  while [ "$1" != "--" ]; do patterns+=("$1"); shift; done
  shift
  local t0
  t0=$(now_ms)
  expect_exit "$rc" "$case_name" "$@"
  one_error "$case_name" "${patterns[@]}"
  echo "$name: $case_name: exit $rc after $(( $(now_ms) - t0 )) ms"
  cases=$((cases + 1))
}

M="$dir/master/repl.cnf" R1="$dir/replica1/apply.cnf" R2="$dir/replica2/apply.cnf"
good=$(conf good "$M" "$R1" "$R2")
"$repo/tools/voms-workload" --vo otest --transactions 20 --seed 1 --dir "$dir" > /dev/null
secrets=()  # every password this test uses, for the final scan
for f in "$dir"/*/*.cnf; do
  pw_line=$(sed -n 's/^password=//p' "$f")
  [ -n "$pw_line" ] && secrets+=("$pw_line")
done
[ ${#secrets[@]} -ge 7 ] || fail "expected the passwords of 7 sandbox option files, found ${#secrets[@]}"

# ---- 1. wrong passwords ---------------------------------------------------------------
bad_pw=$(randpw)
secrets+=("$bad_pw")
m_bad=$(cnf m_bad "$M" "$bad_pw")
r2_bad=$(cnf r2_bad "$R2" "$bad_pw")
c=$(conf m_badpw "$m_bad" "$R1" "$R2")
refused check_master_badpw 6 "master" "$m_bad" "error 1045" -- "$vomsrepl" check-config --config "$c"
refused run_master_badpw 6 "master" "$m_bad" "error 1045" -- timeout 60 "$vomsrepl" run --config "$c"
c=$(conf r2_badpw "$M" "$R1" "$r2_bad")
refused check_replica_badpw 6 "replica replica2" "$r2_bad" "error 1045" -- "$vomsrepl" check-config --config "$c"
grep -q '^ok   replica replica1' "$out/check_replica_badpw.out" || fail "check_replica_badpw: replica1 not checked ok"

# ---- 4. privileges (accounts created here, passwords only in 0600 option files) -------
# account SERVER USER PASSWORD GRANT...: a user on 127.0.0.1 (not binlogged on the master).
account() {
  local srv=$1 user=$2 pw=$3 g
  shift 3
  {
    echo "SET sql_log_bin = 0;"
    echo "CREATE USER '$user'@'127.0.0.1' IDENTIFIED BY '$pw';"
    for g in "$@"; do echo "GRANT $g TO '$user'@'127.0.0.1';"; done
  } | "$sandbox" sql "$srv" --dir "$dir" || fail "cannot create the account $user on $srv"
}
ddl="SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, REFERENCES, CREATE VIEW, SHOW VIEW, TRIGGER"
declare -A pw
for who in noins noroa all noslave nomon; do pw[$who]=$(randpw); secrets+=("${pw[$who]}"); done
account replica1 acc_noins "${pw[noins]}" "SELECT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX ON \`voms\\_%\`.*" \
  "$ddl ON \`vomsrepl\`.*" "READ ONLY ADMIN ON *.*"
account replica1 acc_noroa "${pw[noroa]}" "$ddl ON \`voms\\_%\`.*" "$ddl ON \`vomsrepl\`.*"
account replica1 acc_all "${pw[all]}" "ALL PRIVILEGES ON *.*"
account master repl_noslave "${pw[noslave]}" "BINLOG MONITOR ON *.*"
account master repl_nomon "${pw[nomon]}" "REPLICATION SLAVE ON *.*"

c=$(conf noins "$M" "$(cnf r1_noins "$R1" acc_noins "${pw[noins]}")" "$R2")
refused replica_no_insert 6 "replica replica1" "lacks INSERT on the replicated databases" "GRANT INSERT ON" -- \
  "$vomsrepl" check-config --config "$c"
c=$(conf noroa "$M" "$(cnf r1_noroa "$R1" acc_noroa "${pw[noroa]}")" "$R2")
refused replica_no_read_only_admin 6 "replica replica1" "lacks READ ONLY ADMIN on *.*" -- \
  "$vomsrepl" check-config --config "$c"
r1_all=$(cnf r1_all "$R1" acc_all "${pw[all]}")
c=$(conf all "$M" "$r1_all" "$R2")
expect_exit 0 replica_all_privileges "$vomsrepl" check-config --config "$c"
grep -q '^warn replica replica1: .*more privilege than the applier needs: ALL PRIVILEGES ON \*\.\*' \
  "$out/replica_all_privileges.out" || { cat "$out/replica_all_privileges.out" >&2; fail "replica_all_privileges: no warning naming ALL PRIVILEGES"; }
echo "$name: replica_all_privileges: exit 0, $(grep '^warn replica replica1' "$out/replica_all_privileges.out" | head -1 | cut -c1-300)"
cases=$((cases + 1))

c=$(conf noslave "$(cnf m_noslave "$M" repl_noslave "${pw[noslave]}")" "$R1" "$R2")
refused master_no_replication_slave 6 "master" "lacks REPLICATION SLAVE" -- "$vomsrepl" check-config --config "$c"
refused run_master_no_replication_slave 6 "lacks REPLICATION SLAVE" -- timeout 60 "$vomsrepl" run --config "$c"
c=$(conf nomon "$(cnf m_nomon "$M" repl_nomon "${pw[nomon]}")" "$R1" "$R2")
refused master_no_binlog_monitor 6 "master" "lacks BINLOG MONITOR" -- "$vomsrepl" check-config --config "$c"

# ---- 1 (run) + 4 (too much, still runs): replica1 with ALL PRIVILEGES, replica2 with a
# wrong password. The daemon feeds replica1 and reports replica2's error in /status.
# The master's password also as the (0600) config's `password` key: the daemon must keep it
# in memory, never in its environment (scanned below, with its children's).
m_pw=$(sed -n 's/^password=//p' "$M")
cp -p "$(CONF_LISTEN="127.0.0.1:$port" conf run "$M" "$r1_all" "$r2_bad" "password = \"$m_pw\"")" "$dir/vomsrepl.toml"
OPS_TOKEN_FILE="$out/state-run/http.token"  # the control token `run` makes there (ops_lib.sh ops_auth)
t_run=$(now_ms)
ops_start_daemon
ops_workload 30 2
t_workload=$(now_ms)
want=$(sql master -e "SELECT @@gtid_binlog_pos")
deadline=$(( $(date +%s) + 60 ))
# One python per poll (its start-up is slow on a loaded machine): replica1 running at the
# journal's end with the source at the master's position; then replica2's state and error.
until http /status > "$dir/status.json" 2>/dev/null &&
      python3 - "$dir/status.json" "$want" > "$dir/replica2.txt" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = {x["name"]: x for x in d["replicas"]}
# replica2's refusal is waited for too (its runner may be slower to try than replica1):
# its state is checked below, from the same /status.
ok = (d["source"].get("gtid_state") == sys.argv[2] and r["replica1"]["state"] == "running"
      and r["replica1"]["applied_seq"] == d["journal"]["last_seq"] and r["replica2"]["state"] == "error")
print(d["journal"]["last_seq"]); print(r["replica2"]["state"]); print(r["replica2"]["last_error"])
sys.exit(0 if ok else 1)
PY
do
  [ "$(date +%s)" -lt "$deadline" ] || { cat "$dir/status.json" >&2; fail "replica1 did not converge with replica2 refused (in error) within 60 s"; }
  sleep 0.2
done
[ "$(checksums replica1 voms_otest)" = "$(checksums master voms_otest)" ] || fail "replica1 voms_otest differs from the master"
{ read -r journaled; read -r r2_state; read -r r2_error; } < "$dir/replica2.txt"
[ "$r2_state" = error ] || fail "replica2's /status state is '$r2_state', expected error"
case $r2_error in
  *"$r2_bad"*"error 1045"*) ;;
  *) fail "replica2's /status last_error does not name its option file and error 1045: $r2_error" ;;
esac
http /metrics > "$dir/metrics.txt" || fail "/metrics does not answer"
grep -q '^vomsrepl_replica_running{replica="replica2"} 0' "$dir/metrics.txt" ||
  { grep replica_running "$dir/metrics.txt" >&2; fail "/metrics: replica2 not reported as not running"; }
grep -q 'replica replica2: stopped: .*error 1045' "$dir/run.log" || fail "the log has no error line for replica2"
grep -q 'warn.*replica1: account .*more privilege than the applier needs: ALL PRIVILEGES ON \*\.\*' "$dir/run.log" ||
  fail "the log has no warning naming replica1's ALL PRIVILEGES"
# The running daemon's environment (and any child's) holds no secret, and it dumps no core.
environ_scanned=0
for p in "$daemon_pid" $(cat /proc/"$daemon_pid"/task/*/children 2>/dev/null || true); do
  [ -r "/proc/$p/environ" ] || fail "cannot read /proc/$p/environ (run this test as root: the daemon is not dumpable)"
  tr '\0' '\n' < "/proc/$p/environ" > "$out/environ.$p.txt" || fail "cannot read /proc/$p/environ"
  ! grep -q '^VOMSREPL_CONFIG_MASTER_PASSWORD=' "$out/environ.$p.txt" ||
    fail "process $p has the config's password in its environment (VOMSREPL_CONFIG_MASTER_PASSWORD)"
  environ_scanned=$((environ_scanned + 1))
done
core_limit=$(awk '/^Max core file size/ {print $5 "/" $6}' "/proc/$daemon_pid/limits")
[ "$core_limit" = "0/0" ] || fail "the daemon's core file size limit is $core_limit, expected 0/0"
ops_stop_daemon
echo "$name: run_replica_badpw: workload $(( t_workload - t_run )) ms, converged $(( $(now_ms) - t_workload )) ms later"
echo "$name: run_replica_badpw: replica1 converged ($journaled transactions), replica2 $r2_state: $(cut -c1-200 <<<"$r2_error")"
cases=$((cases + 2))

# ---- 3. files readable by others ------------------------------------------------------
m_open=$(cnf m_open "$M" "$(sed -n 's/^password=//p' "$M")")
chmod 644 "$m_open"
c=$(conf m_open "$m_open" "$R1" "$R2")
refused master_optfile_0644 2 "$m_open" "mode 0644" "chmod 600 $m_open" "master.defaults_file" -- \
  "$vomsrepl" check-config --config "$c"
refused run_master_optfile_0644 2 "chmod 600 $m_open" -- timeout 60 "$vomsrepl" run --config "$c"
refused dump_optfile_0644 2 "chmod 600 $m_open" -- "$vomsrepl" dump --master --master-defaults-file "$m_open"
r2_open=$(cnf r2_open "$R2" "$(sed -n 's/^password=//p' "$R2")")
chmod 640 "$r2_open"
c=$(conf r2_open "$M" "$R1" "$r2_open")
refused replica_optfile_0640 2 "$r2_open" "mode 0640" "chmod 600 $r2_open" "replica[1].defaults_file" -- \
  "$vomsrepl" check-config --config "$c"
c=$(conf open_no_pw "$M" "$R1" "$R2")
chmod 644 "$c"
expect_exit 0 config_0644_without_password "$vomsrepl" check-config --config "$c"
echo "$name: config_0644_without_password: exit 0 (the config names option files and holds no secret)"
cases=$((cases + 1))
cfg_pw=$(randpw)
secrets+=("$cfg_pw")
c=$(conf open_pw "$M" "$R1" "$R2" "password = \"$cfg_pw\"")
chmod 644 "$c"
refused config_0644_with_password 2 "$c" "mode 0644" "chmod 600 $c" -- "$vomsrepl" check-config --config "$c"

# ---- 2. passwords on argv -------------------------------------------------------------
argv_pw=$(randpw)
secrets+=("$argv_pw")
argv_cases=0
for sub in run check-config dump stats status verify replica bootstrap catchup switch-master version; do
  i=0
  forms=("--password $argv_pw" "-p$argv_pw" "--master-password=$argv_pw" "--PASSWORD=$argv_pw")
  case $sub in
    run | dump) forms+=("--password=$argv_pw" "--pass=$argv_pw" "--passwd $argv_pw" "--replica-Pass $argv_pw" \
                        "-p=$argv_pw" "--pass$argv_pw" "--x_passwd=$argv_pw" "-PASS=$argv_pw") ;;
  esac
  for form in "${forms[@]}"; do
    i=$((i + 1))
    # shellcheck disable=SC2086  # the form is two words or one
    expect_exit 2 "argv_${sub}_$i" "$vomsrepl" "$sub" --config "$good" $form
    one_error "argv_${sub}_$i" "refused: passwords are never taken from the command line" "option file" "0600" > /dev/null
    argv_cases=$((argv_cases + 1))
  done
done
one_error argv_run_1 "option --password refused"
one_error argv_dump_2 "option -p refused"
one_error argv_run_3 "option --master-password refused"
one_error argv_run_4 "option --PASSWORD refused"
one_error argv_dump_8 "option --replica-Pass refused"
one_error argv_run_10 "argument 4 (an option whose name contains \"pass\") refused"
# Every argv case's messages (stdout and stderr) are scanned for the value below.
argv_messages=$(ls "$out"/argv_*.out "$out"/argv_*.err | wc -l)
[ "$argv_messages" -eq $((2 * argv_cases)) ] || fail "expected $((2 * argv_cases)) argv outputs, found $argv_messages"
cases=$((cases + 1))

# ---- 6. no secret anywhere ------------------------------------------------------------
grep -qF -- "${secrets[0]}" "$dir/master/admin.cnf" "$M" || fail "the scan cannot find a password where it is"
scanned=("$out"/*.out "$out"/*.err "$out"/environ.*.txt "$dir/run.log" "$dir/status.json" "$dir/replica2.txt"
         "$dir/metrics.txt" "$dir/check.txt")
for s in "${secrets[@]}"; do
  [ ${#s} -ge 8 ] || fail "a password shorter than 8 characters cannot be scanned for"
  if grep -lF -- "$s" "${scanned[@]}" >&2; then fail "a password appears in the files listed above"; fi
done
cases=$((cases + 1))

echo "FIGURE: scenario=bad-config-access injected=\"wrong master/replica password (check-config, run), password on argv (${argv_cases} calls: --password X, -pX, --master-password=X, --PASSWORD=X on 11 subcommands, --password=X, --pass=X, --passwd X, --replica-Pass X, -p=X, --passX, --x_passwd=X, -PASS=X on run and dump), option files 0644/0640 and config 0644 with a password, replica account without INSERT / READ ONLY ADMIN and with ALL PRIVILEGES, repl account without REPLICATION SLAVE / BINLOG MONITOR; wrong TLS certificate: tls_test.sh (exit 6)\" times=$cases exit_codes=2,6 argv_refusals=$argv_cases argv_messages_scanned=$argv_messages environ_scanned=$environ_scanned daemon_core_limit=$core_limit secrets=${#secrets[@]} scanned_files=${#scanned[@]} leaks=0 result=refused-or-warned"
