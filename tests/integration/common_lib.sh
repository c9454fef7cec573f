# shellcheck shell=bash
# The base of every shell scenario under tests/integration (sourced, not run): failing
# with context, SQL on a sandbox server, waiting for an event, JSON and checksum reads,
# and the cleanup at exit by PID. ops_lib.sh (a `vomsrepl run` daemon on a sandbox)
# builds on it; tests that need no daemon source this file alone.
#
# The caller sets: sandbox (tools/sandbox), dir (its sandbox directory) and, for the
# messages, name (the test's name). Optional: fail_logs (more files whose tail `fail`
# prints), cleanup_pids (background processes `cleanup` ends with SIGTERM),
# sandbox_dirs (more sandboxes `cleanup` stops and purges). Nothing runs on sourcing:
# the caller sets its own trap (`trap cleanup EXIT`, or ops_setup's).
# shellcheck disable=SC2154  # sandbox, dir: set by the caller

daemon_pid=""     # the test's `vomsrepl run`: SIGKILL at exit
cleanup_pids=()   # other background processes: SIGTERM at exit
sandbox_dirs=()   # sandboxes besides $dir to stop (and purge) at exit
fail_logs=()      # files besides $dir/run.log whose last lines `fail` prints

# cleanup: the EXIT trap. Each process by its own PID, never by name; then the
# sandboxes, whose servers tools/sandbox stops by the PIDs it recorded.
cleanup() {
  local p d
  [ -n "$daemon_pid" ] && kill -9 "$daemon_pid" 2>/dev/null || true
  for p in ${cleanup_pids[@]+"${cleanup_pids[@]}"}; do kill "$p" 2>/dev/null || true; done
  for d in "$dir" ${sandbox_dirs[@]+"${sandbox_dirs[@]}"}; do
    "$sandbox" stop --dir "$d" --purge >/dev/null 2>&1 || true
  done
}

# fail MESSAGE: "NAME: FAIL: MESSAGE" and the end of the daemon's logs on stderr; exit 1.
fail() {
  local f
  echo "${name:+$name: }FAIL: $*" >&2
  for f in "$dir/run.log" ${fail_logs[@]+"${fail_logs[@]}"}; do [ -f "$f" ] && tail -25 "$f" >&2; done
  exit 1
}

# sql SERVER MARIADB-ARGS...: the mariadb client on master / replicaN, unboxed (-N -B).
sql() { local srv=$1; shift; "$sandbox" sql "$srv" --dir "$dir" -- -N -B "$@"; }

json() {  # json FILE PYTHON-EXPRESSION-ON-d
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
now_ms() { date +%s%3N; }

# await SECONDS WHAT CMD...: runs CMD every 0.2 s until it succeeds; fails the test with
# "WHAT: not within SECONDS s" when the deadline passes first. For events a test needs to
# have happened (a state reached, a line logged): never assumed from a sleep.
await() {
  local secs=$1 what=$2 deadline
  shift 2
  deadline=$(( $(date +%s) + secs ))
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "$what: not within $secs s"
    sleep 0.2
  done
}

checksums() {  # SERVER DB: CHECKSUM TABLE of every table of DB, one per line, by table name
  local tables
  tables=$(sql "$1" -e "SELECT GROUP_CONCAT(CONCAT('\`$2\`.\`', table_name, '\`') ORDER BY table_name)
                        FROM information_schema.tables WHERE table_schema = '$2'")
  sql "$1" -e "CHECKSUM TABLE $tables" | awk '{print $2}'
}

# progress_state SERVER [CHANNEL]: gtid_state of the progress row CHANNEL (default: the
# server's name, as `vomsrepl run` names its channels) on replica SERVER.
progress_state() { sql "$1" -e "SELECT gtid_state FROM vomsrepl.progress WHERE channel = '${2:-$1}'"; }

# goal_bounds ARG: 1 when ARG is --goal-bounds (the issue's own timing goals, as
# tools/reliability-report runs a test), 0 when it is empty (the suite's "no hang"
# bounds, docs/test-suite.md); anything else is a usage error (status 2). Use:
#   goal=$(goal_bounds "${5:-}") || exit 2
goal_bounds() {
  case ${1:-} in
    "") echo 0 ;;
    --goal-bounds) echo 1 ;;
    *) echo "${name:-test}: unknown argument '$1'" >&2; return 2 ;;
  esac
}

hex() { printf %s "$1" | od -An -tx1 | tr -d ' \n'; }   # lower-case hex of a string
quote() { printf '`%s`' "${1//\`/\`\`}"; }          # backquoted, backquotes doubled
