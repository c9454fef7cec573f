# await SECONDS WHAT CMD... (sourced by ops_lib.sh, bootstrap_test.sh, daemon_test.sh):
# runs CMD every 0.2 s until it succeeds; fails the test with "WHAT: not within SECONDS s"
# (the caller's `fail MESSAGE`) when the deadline passes first. For events a test needs to
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
