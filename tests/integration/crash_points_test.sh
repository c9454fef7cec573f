#!/usr/bin/env bash
# Crash at fixed points (issue 9, item 1): `vomsrepl run` kills itself with SIGKILL at a
# named point through the VOMSREPL_CRASH_AT test hook (src/ops/crash_point.h), on a
# sandbox of its own (master + 2 read-only replicas) while a VOMS workload runs:
#
#   feeder.before_append           before the journal write that carries the checkpoint
#   feeder.after_append            right after it
#   replica.replica1.before_commit before the applier call that commits replica1's group
#   replica.replica1.after_commit  replica1 committed, its RocksDB mirror not yet written,
#                                  replica2 not necessarily there ("after replica 1 of 2")
#   replica.replica2.after_commit  the same for replica 2 of 2
#
# For each point, one after the other: a background workload runs; the daemon starts with
# VOMSREPL_CRASH_AT=POINT:N (N from a fixed seed, so that it fires mid-run); the test
# checks it died by SIGKILL (exit status 137), that it logged the point and pass just
# before, and what the state shows right after the crash (the window was really hit:
# after_commit: the replica's progress row is ahead of its RocksDB mirror; before_commit:
# the replica's progress row is behind the journal; feeder points: the checkpoint equals
# the journal's last seq, as it travels in the same WriteBatch). The
# daemon is then restarted without the variable, the workload stopped, the replicas
# converge, and ops_check_equal checks every table equal on both replicas and one journal
# entry per master transaction (0 lost, 0 duplicated). Bad VOMSREPL_CRASH_AT values are
# refused at startup (exit 2, naming the value).
#
# usage: crash_points_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO [ROUNDS]
#   ROUNDS (or VOMSREPL_CRASH_ROUNDS; default 1, CI): times through the list of points,
#   each round with other N; e.g. 5 for a longer variant by hand.
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4" rounds="${5:-${VOMSREPL_CRASH_ROUNDS:-1}}"
name="crash_points"
source "$(dirname "$0")/ops_lib.sh"

points=(feeder.before_append feeder.after_append replica.replica1.before_commit
        replica.replica1.after_commit replica.replica2.after_commit)

ops_setup

# Bad values: a clear error at startup, before anything is opened.
for bad in "nosuch.point" "feeder.before_append:0" "feeder.after_append:x" "replica.replica3.after_commit"; do
  rc=0
  VOMSREPL_CRASH_AT="$bad" timeout 30 "$vomsrepl" run --config "$dir/vomsrepl.toml" > "$dir/bad.log" 2>&1 || rc=$?
  [ "$rc" -eq 2 ] || { cat "$dir/bad.log" >&2; fail "VOMSREPL_CRASH_AT=$bad: exit $rc, want 2"; }
  grep -qF "VOMSREPL_CRASH_AT='$bad'" "$dir/bad.log" || { cat "$dir/bad.log" >&2; fail "the error does not name '$bad'"; }
done
[ ! -e "$dir/state" ] || fail "a refused VOMSREPL_CRASH_AT value still created the state directory"

# A journal and replicas with something in them before the first crash.
ops_start_daemon
ops_workload 100 61
ops_converge
ops_stop_daemon

state_json() { "$vomsrepl" status --state-dir "$dir/state" --format json > "$dir/state.json" || fail "vomsrepl status after the crash"; }
progress_seq() { sql "$1" -e "SELECT seq FROM vomsrepl.progress WHERE channel = '$1'"; }

RANDOM=4271
crashes=0 seed=100 t_start=$(now_ms)
for round in $(seq "$rounds"); do
  for point in "${points[@]}"; do
    case $point in
      feeder.*) n=$(( 10 + RANDOM % 30 )) ;;
      *) n=$(( 3 + RANDOM % 15 )) ;;
    esac
    # "After replica 1 of 2": replica2 disabled in the crashing daemon, so that replica1
    # has committed a seq replica2 has not.
    config="$dir/vomsrepl.toml"
    if [ "$point" = replica.replica1.after_commit ]; then
      config="$dir/crash.toml"
      sed 's/^name = "replica2"$/&\nenabled = false/' "$dir/vomsrepl.toml" > "$config"
      grep -q '^enabled = false$' "$config" || fail "cannot disable replica2 in $config"
    fi
    ops_bg_start "$seed"; seed=$((seed + 1000))
    sleep 0.5
    log0=$(wc -l < "$dir/run.log")
    t0=$(now_ms)
    VOMSREPL_CRASH_AT="$point:$n" "$vomsrepl" run --config "$config" >> "$dir/run.log" 2>&1 &
    daemon_pid=$!
    # (stderr of the block to /dev/null: bash's own "Killed" job notice, not the daemon's)
    { for _ in $(seq 600); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done; } 2>/dev/null
    if kill -0 "$daemon_pid" 2>/dev/null; then fail "$point:$n: the daemon is still running after 60 s (point never reached)"; fi
    { rc=0; wait "$daemon_pid" || rc=$?; } 2>/dev/null
    crash_ms=$(( $(now_ms) - t0 ))
    daemon_pid=""
    tail -n +"$((log0 + 1))" "$dir/run.log" > "$dir/crash.log"
    [ "$rc" -eq 137 ] || { cat "$dir/crash.log" >&2; fail "$point:$n: exit status $rc, want 137 (SIGKILL)"; }
    grep -q "VOMSREPL_CRASH_AT=$point:$n is set: a TEST HOOK" "$dir/crash.log" || fail "$point:$n: no startup warning"
    hits=$(grep -c "crash point $point reached (pass $n, VOMSREPL_CRASH_AT test hook): raising SIGKILL" "$dir/crash.log" || true)
    [ "$hits" -eq 1 ] || { cat "$dir/crash.log" >&2; fail "$point:$n: the daemon did not log the crash point once before dying ($hits)"; }
    # The window the point names, as the state shows it right after the crash.
    state_json
    cp_seq=$(json "$dir/state.json" 'd["source"]["checkpoint_seq"]')
    last_seq=$(json "$dir/state.json" 'd["journal"]["last_seq"]')
    seen=""
    case $point in
      feeder.*)
        [ "$cp_seq" -eq "$last_seq" ] || fail "$point: checkpoint seq $cp_seq, journal ends at $last_seq"
        seen="checkpoint_seq=$cp_seq=last_seq"
        ;;
      replica.*.after_commit)
        r=${point#replica.}; r=${r%%.*}
        p=$(progress_seq "$r")
        mirror=$(json "$dir/state.json" "[x['applied_seq'] for x in d['replicas'] if x['name'] == '$r'][0]")
        [ "$p" -gt "$mirror" ] || fail "$point: $r progress row seq $p is not ahead of its mirror seq $mirror"
        other=replica1; [ "$r" = replica1 ] && other=replica2
        o=$(progress_seq "$other")
        if [ "$r" = replica1 ]; then
          [ "$p" -gt "$o" ] || fail "$point: replica1 progress row seq $p is not ahead of (disabled) replica2's $o"
        fi
        seen="$r:progress=$p>mirror=$mirror $other:progress=$o"
        ;;
      replica.*.before_commit)
        r=${point#replica.}; r=${r%%.*}
        p=$(progress_seq "$r")
        [ "$p" -lt "$last_seq" ] || fail "$point: $r progress row seq $p is not behind the journal ($last_seq)"
        seen="$r:progress=$p<journal=$last_seq"
        ;;
    esac
    crashes=$((crashes + 1))
    # Restarted without the hook while the workload goes on, then converged and compared.
    sleep 0.5
    t1=$(now_ms)
    ops_start_daemon
    sleep 0.5
    ops_bg_stop
    ops_converge 120
    converge_ms=$(( $(now_ms) - t1 ))
    ops_check_equal 0
    ops_stop_daemon
    grep -q "vomsrepl stopped cleanly" <(tail -n 3 "$dir/run.log") || fail "$point: the restarted daemon did not stop cleanly"
    echo "$name: round $round: $point:$n: SIGKILL (137) $crash_ms ms after start; after the crash: $seen; restarted, converged in $converge_ms ms, $master_txns master transactions = $journaled journaled, tables equal"
  done
done
elapsed_s=$(( ($(now_ms) - t_start) / 1000 ))
echo "FIGURE: scenario=crash-points injected=\"SIGKILL at fixed points (VOMSREPL_CRASH_AT): ${points[*]}\" times=$crashes points=${#points[@]} crashes=$crashes master_txns=$master_txns journaled=$journaled lost=0 duplicated=0 seconds=$elapsed_s total_seconds=$SECONDS result=converged"
echo "$name: ok"
