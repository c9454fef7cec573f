# shellcheck shell=bash
# Shared by the maintenance, fault and daemon tests (sourced, not run): a sandbox master
# with 2 read-only replicas holding voms_otest, a `vomsrepl run` daemon on it, and the
# checks every scenario ends with. The caller sets: sandbox vomsrepl dir repo name.
# common_lib.sh (sourced here) gives fail, sql, json, now_ms, await, checksums, hex,
# quote and the cleanup by PID.
#
# Each scenario prints `FIGURE: key=value ...` lines; tools/reliability-report turns
# them into docs/reliability.md.
#
# Contract: ops_setup starts the sandbox (removed again on exit by ops_cleanup, with
# the daemon, each by its own PID); ops_start_daemon / ops_stop_daemon manage one
# daemon; ops_converge waits until both replicas applied the master's GTID position;
# ops_check_equal compares every table (CHECKSUM TABLE) and the journal's size with
# the kept master transactions (0 lost, 0 duplicated); ops_dump prints tables byte
# for byte, for a comparison row by row. ops_proxy_start / ops_proxy put a
# tests/integration/fault_proxy between the daemon and one server (network faults).
# shellcheck disable=SC2154  # sandbox, vomsrepl, dir, repo, fault_proxy: set by the caller

# shellcheck source=common_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/common_lib.sh"

# ops_cleanup: common_lib.sh's cleanup (the daemon, the fault proxies in cleanup_pids,
# the sandbox), after the background workload of ops_bg_start ($bg_pid, SIGKILL).
ops_cleanup() {
  [ -n "${bg_pid:-}" ] && kill -9 "$bg_pid" 2>/dev/null || true
  cleanup
}
# ops_server stop|kill|start SERVER: tools/sandbox stop-server / stop-server --kill /
# start-server; on failure the sandbox's own words are printed, then the test fails.
ops_server() {
  local args
  case $1 in
    stop) args=(stop-server "$2") ;;
    kill) args=(stop-server "$2" --kill) ;;
    start) args=(start-server "$2") ;;
    *) fail "ops_server: unknown action $1" ;;
  esac
  "$sandbox" "${args[@]}" --dir "$dir" > "$dir/sandbox-call.log" 2>&1 ||
    { cat "$dir/sandbox-call.log" >&2; fail "tools/sandbox ${args[*]} failed"; }
}
# http PATH / http_post PATH: with the daemon's control token (STATE_DIR/http.token, which
# `vomsrepl run` writes before it listens; OPS_TOKEN_FILE names another), so /status
# shows errors unredacted and POST /replica/NAME/... is allowed.
ops_auth() {
  local t
  t=$(cat "${OPS_TOKEN_FILE:-$dir/state/http.token}" 2>/dev/null) || true
  [ -n "$t" ] && printf 'Authorization: Bearer %s' "$t" || printf 'X-No-Token: 1'
}
http() { curl -sf --max-time 5 -H "$(ops_auth)" "http://127.0.0.1:$port$1"; }
http_post() { curl -sf --max-time 5 -X POST -H "$(ops_auth)" "http://127.0.0.1:$port$1"; }

# ops_setup [CONFIG-EXTRA-LINES]: sandbox, voms_otest everywhere (kept out of the
# binlog: the initial copy), config with heartbeat 500 ms (OPS_HEARTBEAT_MS) and read
# timeout 3 s.
# OPS_START_ARGS (optional): more `tools/sandbox start` options (e.g. --replica-option).
# Optional hook: a function ops_before_config, called once the servers run and before the
# config is written (e.g. to start a fault proxy); OPS_MASTER_CNF / OPS_REPLICA1_CNF
# replace the option files the daemon uses for the master / replica1, and
# OPS_REPLICA1_EXTRA adds lines to replica1's [[replica]] table.
ops_setup() {
  trap ops_cleanup EXIT
  "$sandbox" stop --dir "$dir" --purge >/dev/null 2>&1 || true
  # shellcheck disable=SC2086  # OPS_START_ARGS: extra `tools/sandbox start` words
  "$sandbox" start --replicas 2 --dir "$dir" ${OPS_START_ARGS:-} >/dev/null 2>&1 || fail "sandbox start"
  "$sandbox" load-voms --vo otest --dir "$dir" --also-replicas --skip-binlog >/dev/null 2>&1 || fail "load-voms"
  sql master -e "CREATE DATABASE notvoms; CREATE TABLE notvoms.t (id INT PRIMARY KEY)"
  start_gtid=$(sql master -e "SELECT @@gtid_binlog_pos")
  if declare -F ops_before_config >/dev/null; then ops_before_config; fi
  ops_config 4261 master "read_timeout_s = 3" master "backoff_max_ms = 2000" \
    filter "[apply]" filter "group_transactions = 50" \
    replica1 "${OPS_REPLICA1_EXTRA:-}" replica2 "workers = ${OPS_REPLICA2_WORKERS:-2}" end "${1:-}"
  "$vomsrepl" check-config --config "$dir/vomsrepl.toml" > "$dir/check.txt" 2>&1 || { cat "$dir/check.txt"; fail "check-config"; }
}

# ops_config SERVER_ID [PART TEXT]...: $dir/vomsrepl.toml for a daemon on this sandbox:
# state in $dir/state; the master through its repl.cnf (OPS_MASTER_CNF) from
# gtid:$start_gtid, heartbeat 500 ms (OPS_HEARTBEAT_MS); the voms_* databases; replica1
# (OPS_REPLICA1_CNF) and replica2 through their apply.cnf; HTTP on a free port ($port,
# set here). Each TEXT (lines) goes at the end of its PART: master, filter (and tables
# after it, such as [filter.rename] or [apply]), replica1, replica2, end.
ops_config() {
  local server_id=$1 master="" filter="" replica1="" replica2="" end=""
  shift
  while [ $# -ge 2 ]; do
    case $1 in
      master | filter | replica1 | replica2 | end) printf -v "$1" '%s%s\n' "${!1}" "$2" ;;
      *) fail "ops_config: no part '$1'" ;;
    esac
    shift 2
  done
  [ $# -eq 0 ] || fail "ops_config: part '$1' without text"
  port=$("$(dirname "${BASH_SOURCE[0]}")/../../tools/free-port")
  cat > "$dir/vomsrepl.toml" <<EOF
state_dir = "$dir/state"
[master]
defaults_file = "${OPS_MASTER_CNF:-$dir/master/repl.cnf}"
server_id = $server_id
start = "gtid:$start_gtid"
heartbeat_ms = ${OPS_HEARTBEAT_MS:-500}
${master}[filter]
include_databases = ["voms_*"]
${filter}[[replica]]
name = "replica1"
defaults_file = "${OPS_REPLICA1_CNF:-$dir/replica1/apply.cnf}"
${replica1}[[replica]]
name = "replica2"
defaults_file = "$dir/replica2/apply.cnf"
${replica2}[http]
listen = "127.0.0.1:$port"
$end
EOF
}

# ops_await SECONDS WHAT CMD...: common_lib.sh's await (CMD every 0.2 s until it succeeds,
# else "WHAT: not within SECONDS s"). For events a test needs to have happened (a state
# reached, a line logged): never assumed from a sleep.
ops_await() { await "$@"; }

# ops_replica_state NAME: the replica's state in /status ("" when /status does not answer).
ops_replica_state() {
  http /status 2>/dev/null |
    python3 -c 'import json,sys; print([r["state"] for r in json.load(sys.stdin)["replicas"] if r["name"] == sys.argv[1]][0])' "$1" 2>/dev/null || true
}
ops_replica_is() { [ "$(ops_replica_state "$1")" = "$2" ]; }   # ops_replica_is NAME STATE

# ops_start_daemon [CONFIG]: `vomsrepl run` on CONFIG (default $dir/vomsrepl.toml),
# once /health answers (60 s at most: a loaded machine starts it slowly).
ops_start_daemon() {
  "$vomsrepl" run --config "${1:-$dir/vomsrepl.toml}" >> "$dir/run.log" 2>&1 &
  daemon_pid=$!
  local deadline=$(( $(date +%s) + 60 ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    http /health >/dev/null 2>&1 && return 0
    kill -0 "$daemon_pid" 2>/dev/null || fail "the daemon exited at startup"
    sleep 0.1
  done
  fail "/health does not answer within 60 s"
}

ops_stop_daemon() {
  kill -TERM "$daemon_pid"
  wait "$daemon_pid" || fail "SIGTERM did not end the daemon cleanly (exit $?)"
  daemon_pid=""
}

# ops_workload N SEED: N VOMS-Admin-like transactions on voms_otest.
ops_workload() {
  "$repo/tools/voms-workload" --vo otest --transactions "$1" --seed "$2" --dir "$dir" > /dev/null
}

# ops_converge [TIMEOUT-S]: both replicas running at the journal's end, the source at
# the master's GTID position. Leaves the last /status in $dir/status.json.
ops_converge() {
  local want deadline=$(( $(date +%s) + ${1:-60} ))
  want=$(sql master -e "SELECT @@gtid_binlog_pos")
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if http /status > "$dir/status.json" 2>/dev/null &&
       python3 - "$dir/status.json" "$want" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ok = d["source"].get("gtid_state") == sys.argv[2] and all(
    r["state"] == "running" and r["applied_seq"] == d["journal"]["last_seq"] for r in d["replicas"])
sys.exit(0 if ok else 1)
PY
    then return 0; fi
    sleep 0.2
  done
  cat "$dir/status.json" >&2 || true
  fail "replicas did not converge to $want"
}

# ops_rename_database SERVER FROM TO: database FROM is TO on SERVER (every table moved
# with RENAME TABLE, FROM dropped), as a replica of `[filter.rename] FROM = "TO"` is set up
# (the VOMS procedure's --master-db/--db pair).
ops_rename_database() {
  local renames
  renames=$(sql "$1" -e "SELECT GROUP_CONCAT(CONCAT('$2.\`', table_name, '\` TO $3.\`', table_name, '\`'))
                         FROM information_schema.tables WHERE table_schema = '$2'")
  sql "$1" -e "CREATE DATABASE $3; RENAME TABLE $renames; DROP DATABASE $2;"
}

# ops_dump SERVER DB [TABLE]: every table of database DB (or only TABLE) on SERVER, byte
# for byte: per table its SHOW CREATE TABLE and every row in primary-key order as HEX
# of every column (N for NULL), no database name in the output (a renamed database
# compares with its source). The server quotes the names itself, from
# information_schema, so any name works. Every table needs a primary key.
ops_dump() {
  local only=""
  [ -n "${3:-}" ] && only="AND c.table_name = CONVERT(UNHEX('$(hex "$3")') USING utf8mb4)"
  sql "$1" --default-character-set=utf8mb4 -r -e "
    SELECT CONCAT(
      'SELECT ', QUOTE(HEX(c.table_name)), ', CONCAT_WS(''|'', ',
      GROUP_CONCAT(CONCAT('COALESCE(HEX(\`', REPLACE(c.column_name, '\`', '\`\`'), '\`), ''N'')')
                   ORDER BY c.ordinal_position SEPARATOR ', '),
      ') FROM \`', REPLACE(c.table_schema, '\`', '\`\`'), '\`.\`', REPLACE(c.table_name, '\`', '\`\`'),
      '\` ORDER BY ',
      (SELECT GROUP_CONCAT(CONCAT('\`', REPLACE(s.column_name, '\`', '\`\`'), '\`') ORDER BY s.seq_in_index)
         FROM information_schema.statistics s
        WHERE s.table_schema = c.table_schema AND s.table_name = c.table_name AND s.index_name = 'PRIMARY'),
      '; SHOW CREATE TABLE \`', REPLACE(c.table_schema, '\`', '\`\`'), '\`.\`', REPLACE(c.table_name, '\`', '\`\`'), '\`;')
    FROM information_schema.columns c
    WHERE c.table_schema = CONVERT(UNHEX('$(hex "$2")') USING utf8mb4) $only
    GROUP BY c.table_schema, c.table_name ORDER BY HEX(c.table_name)" > "$dir/dump.sql"
  [ -s "$dir/dump.sql" ] || fail "ops_dump: no table $2${3:+.$3} on $1"
  sql "$1" --default-character-set=utf8mb4 < "$dir/dump.sql"
}

# ops_check_equal NOT_KEPT: every table equal on both replicas, and the journal holds
# one entry per kept master transaction (master transactions since the start minus
# NOT_KEPT ones outside the filter). Sets master_txns and journaled.
ops_check_equal() {
  local not_kept=$1 end_gtid m r
  end_gtid=$(sql master -e "SELECT @@gtid_binlog_pos")
  master_txns=$(( ${end_gtid##*-} - ${start_gtid##*-} ))
  journaled=$(json "$dir/status.json" 'd["journal"]["last_seq"]')
  [ "$journaled" -eq $(( master_txns - not_kept )) ] ||
    fail "journal holds $journaled transactions, the master committed $(( master_txns - not_kept )) kept ones"
  m=$(checksums master voms_otest)
  [ "$(echo "$m" | wc -l)" -ge 30 ] || fail "expected the VOMS schema on the master"
  for r in replica1 replica2; do
    [ "$(checksums "$r" voms_otest)" = "$m" ] || fail "$r voms_otest differs from the master"
    got=$(progress_state "$r")
    [ -n "$got" ] || fail "$r has no progress row"
  done
}

# A workload in the background until ops_bg_stop: chunks of 50 transactions, seeds
# SEED, SEED+1, ... (names stay unique across seeds); it ends at a chunk boundary.
ops_bg_start() {
  rm -f "$dir/bg.stop"
  (
    s=$1
    while [ ! -e "$dir/bg.stop" ]; do
      "$repo/tools/voms-workload" --vo otest --transactions 50 --seed "$s" --dir "$dir" >/dev/null 2>&1 || exit 1
      s=$((s + 1))
    done
  ) &
  bg_pid=$!
}
ops_bg_stop() {
  touch "$dir/bg.stop"
  wait "$bg_pid" || fail "background workload failed"
  bg_pid=""
}

# ops_lag_start [REPLICA]: /status sampled every 0.2 s into $dir/lag.txt, one line per
# sample: REPLICA's lag_seconds, or the largest of every replica's (0 for unknown) when
# none is named, until ops_lag_stop, which sets max_lag (the largest sample) and
# lag_samples.
ops_lag_start() {
  rm -f "$dir/lag.stop" "$dir/lag.txt"
  ( while [ ! -e "$dir/lag.stop" ]; do
      http /status 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
lags = [r["lag_seconds"] or 0 for r in d["replicas"] if len(sys.argv) < 2 or r["name"] == sys.argv[1]]
print(max(lags))' ${1:+"$1"} 2>/dev/null || true
      sleep 0.2
    done > "$dir/lag.txt" ) &
  lag_pid=$!
  cleanup_pids+=("$lag_pid")
}
ops_lag_stop() {
  touch "$dir/lag.stop"
  wait "$lag_pid" 2>/dev/null || true
  max_lag=$(sort -n "$dir/lag.txt" | tail -1)
  lag_samples=$(wc -l < "$dir/lag.txt")
}

# ops_proxy_start NAME SERVER CNF: a fault proxy ($fault_proxy, the test's argument) in
# front of SERVER's port, and $dir/NAME.cnf: a copy of option file CNF (0600) whose
# port is the proxy's. Its ports go to $dir/NAME.ports ("LISTEN CONTROL"), its log to
# $dir/NAME.log; ops_cleanup stops it (cleanup_pids).
ops_proxy_start() {
  local name=$1 srv=$2 cnf=$3 target lp cp
  target=$(sed -n 's/^port=\([0-9]*\)$/\1/p' "$cnf" | head -n1)
  [ -n "$target" ] || fail "no port= in $cnf"
  rm -f "$dir/$name.ports"
  "$fault_proxy" --target "127.0.0.1:$target" --port-file "$dir/$name.ports" > "$dir/$name.log" 2>&1 &
  cleanup_pids+=("$!")
  for _ in $(seq 100); do [ -s "$dir/$name.ports" ] && break; sleep 0.1; done
  [ -s "$dir/$name.ports" ] || { cat "$dir/$name.log" >&2; fail "fault proxy $name did not start"; }
  read -r lp cp < "$dir/$name.ports"
  (umask 077; sed "s/^port=[0-9]*$/port=$lp/" "$cnf" > "$dir/$name.cnf")
  grep -q "^port=$lp$" "$dir/$name.cnf" || fail "could not point $dir/$name.cnf at the proxy"
  echo "$name: fault proxy 127.0.0.1:$lp -> $srv 127.0.0.1:$target (control $cp)"
}

# ops_proxy NAME COMMAND...: one control command; prints the answer after "ok ". The
# command has taken effect when this returns; an "error: ..." answer fails the test.
ops_proxy() {
  local name=$1 lp cp fd reply=""
  shift
  read -r lp cp < "$dir/$name.ports"
  exec {fd}<>"/dev/tcp/127.0.0.1/$cp" || fail "proxy $name: control port $cp does not answer"
  printf '%s\n' "$*" >&"$fd"
  IFS= read -r -t 10 reply <&"$fd" || true
  exec {fd}>&-
  case $reply in
    "ok "*) echo "${reply#ok }" ;;
    *) fail "proxy $name: '$*' answered '$reply'" ;;
  esac
}

# ops_proxy_stat NAME KEY: one value of the proxy's `stats`.
ops_proxy_stat() {
  ops_proxy "$1" stats | tr ' ' '\n' | sed -n "s/^$2=//p"
}
