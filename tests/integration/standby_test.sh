#!/usr/bin/env bash
# Standby feeder, automatic takeover (issue 24, item 1), on a sandbox of its own: master
# + 2 read-only replicas, two `vomsrepl run` processes A and B with their own state
# directories and server ids, both with `[standby] lease = "otest"` (heartbeat 1 s,
# lease checked every 1 s). A reaches the master through a TCP fault proxy, B directly.
# A VOMS workload runs in the background throughout.
#
#   1. A starts first and feeds (/status source.role "active"); B waits ("standby",
#      naming the session that holds the lease); check-config of B says the lease is
#      held; /health of B answers "standby"; B refuses replica control (409).
#   2. KILLS times (default 10), at a random moment 0.5-3 s apart: SIGKILL the active
#      feeder; the other one must be active and streaming within 2 x heartbeat +
#      check interval (3 s), and both replicas running under it (applying from the
#      slowest replica's point, its journal rebased or kept); the killed one is started
#      again and must stand by.
#   3. CUTS times (default 3): with A active, A's link to the master is cut (the proxy
#      refuses and cuts); B must take over within the same bound, A must step down to
#      standby by itself (its lease check fails); the link comes back, A stays standby.
#   3b. SIGSTOP of the active feeder past lease_timeout_s (4 s here): the master ends its
#      idle lease session, the other takes over within lease_timeout_s + the bound, and
#      takes the replicas' channels from the frozen one's applier sessions (fencing);
#      after SIGCONT the frozen one steps down.
#   3c. Every replica down when the active feeder dies: the other holds the lease but
#      does not stream until a replica can tell its progress.
#   3d. A third feeder with another [filter], and one with the active one's server_id,
#      each stop at once saying why (they must not take turns with it).
#   4. Workload stopped: both replicas equal to the master (CHECKSUM TABLE of every
#      table), and the active journal holds one seq per master transaction (the
#      numbering agreed across every takeover: 0 lost, 0 duplicated); `vomsrepl status`
#      of a state directory shows the role its feeder recorded.
#
# usage: standby_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO FAULT_PROXY [--goal-bounds]
#   VOMSREPL_STANDBY_KILLS (default 10), VOMSREPL_STANDBY_CUTS (default 3)
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4" fault_proxy="$5"
name=standby
kills=${VOMSREPL_STANDBY_KILLS:-10}
cuts=${VOMSREPL_STANDBY_CUTS:-3}
source "$(dirname "$0")/ops_lib.sh"

heartbeat_ms=1000 check_ms=1000 lease_timeout_s=4
goal_ms=$(( 2 * heartbeat_ms + check_ms ))  # the issue's bound: 2 x heartbeat + check interval
# The suite asserts "no hang" (5 x the goal: a loaded 2-core machine, docs/test-suite.md);
# --goal-bounds (tools/reliability-report) asserts the goal itself. Both print the figure.
goal=$(goal_bounds "${6:-}") || exit 2
bound_ms=$(( goal ? goal_ms : 5 * goal_ms ))
ops_before_config() {
  ops_proxy_start mproxy master "$dir/master/repl.cnf"
  OPS_MASTER_CNF="$dir/mproxy.cnf"
}
OPS_HEARTBEAT_MS=$heartbeat_ms
ops_setup "[standby]
lease = \"otest\"
check_interval_ms = $check_ms
lease_timeout_s = $lease_timeout_s"
portA=$port
portB=$("$repo/tools/free-port")
sed -e "s#^state_dir = .*#state_dir = \"$dir/stateB\"#" -e 's/^server_id = 4261$/server_id = 4262/' \
    -e "s#^defaults_file = \"$dir/mproxy.cnf\"#defaults_file = \"$dir/master/repl.cnf\"#" \
    -e "s#^listen = \"127.0.0.1:$portA\"#listen = \"127.0.0.1:$portB\"#" "$dir/vomsrepl.toml" > "$dir/vomsreplB.toml"
for want in "state_dir = \"$dir/stateB\"" "server_id = 4262" "defaults_file = \"$dir/master/repl.cnf\"" \
            "listen = \"127.0.0.1:$portB\"" "lease = \"otest\""; do
  grep -qF "$want" "$dir/vomsreplB.toml" || fail "feeder B's config lacks: $want"
done
fail_logs+=("$dir/runB.log")

declare -A pids=()
hq() {  # hq A|B PATH: GET with that feeder's control token
  local p=$portA t=$dir/state/http.token
  [ "$1" = B ] && { p=$portB; t=$dir/stateB/http.token; }
  curl -sf --max-time 5 -H "Authorization: Bearer $(cat "$t" 2>/dev/null)" "http://127.0.0.1:$p$2"
}
answers() { hq "$1" /health > /dev/null; }
field() {  # field A|B PYTHON-EXPRESSION-ON-d: from its /status
  hq "$1" /status 2>/dev/null | python3 -c "import json,sys; d=json.load(sys.stdin); print($2)" 2>/dev/null || true
}
is_role() { [ "$(field "$1" 'd["source"]["role"]')" = "$2" ]; }
active_streaming() { [ "$(field "$1" 'd["source"]["role"] + " " + d["source"]["state"]')" = "active streaming" ]; }
replicas_running() {  # both replicas running under feeder $1, past journal seq $2
  [ "$(field "$1" 'all(r["state"] == "running" and r["applied_seq"] > '"$2"' for r in d["replicas"])')" = True ]
}
start_feeder() {  # start_feeder A|B
  local cfg=$dir/vomsrepl.toml log=$dir/run.log
  [ "$1" = B ] && { cfg=$dir/vomsreplB.toml; log=$dir/runB.log; }
  "$vomsrepl" run --config "$cfg" >> "$log" 2>&1 &
  pids[$1]=$!
  cleanup_pids+=("$!")
  await 60 "feeder $1 answering /health" answers "$1"
}
kill_feeder() {  # kill_feeder A|B: SIGKILL, reaped
  kill -9 "${pids[$1]}"
  wait "${pids[$1]}" 2>/dev/null || true
}
other() { [ "$1" = A ] && echo B || echo A; }
journal_seq() { field "$1" 'd["journal"]["last_seq"]'; }

# 1. A first: active; then B: standby.
start_feeder A
await 30 "A active and streaming" active_streaming A
ops_workload 50 71
start_feeder B
await 30 "B standing by" is_role B standby
holder_known() { [[ $(field B 'd["source"]["role_detail"]') == *"; the lease is held by "* ]]; }
await 10 "B's /status naming the lease's holder" holder_known
detail=$(field B 'd["source"]["role_detail"]')
[[ $detail == "standby since "*", waiting for the lease vomsrepl.lease.otest; the lease is held by connection "* ]] ||
  fail "B's role_detail: '$detail'"
echo "$name: B: $detail"
"$vomsrepl" check-config --config "$dir/vomsreplB.toml" > "$dir/checkB.txt" 2>&1 || { cat "$dir/checkB.txt"; fail "check-config of B"; }
grep -q "^ok   standby lease vomsrepl.lease.otest is held by connection [0-9]*.*this configuration's \`vomsrepl run\` is running" "$dir/checkB.txt" ||
  { cat "$dir/checkB.txt"; fail "check-config of B does not say the lease is held"; }
[ "$(hq B /health)" = standby ] || fail "B's /health: '$(hq B /health || true)', want standby"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST \
  -H "Authorization: Bearer $(cat "$dir/stateB/http.token")" "http://127.0.0.1:$portB/replica/replica1/stop")
[ "$code" = 409 ] || fail "replica control on the standby answered $code, want 409"
ops_bg_start 1000

# 2. SIGKILL the active one, KILLS times.
active=A
max_take=0 sum_take=0 n_take=0 max_apply=0
takeover() {  # takeover CAUSE NUMBER T0 SEQ0: the other feeder active within the bound
  local new t1 t2
  new=$(other "$active")
  await 30 "$1 $2: feeder $new active and streaming" active_streaming "$new"
  t1=$(now_ms)
  take=$(( t1 - $3 ))
  await 60 "$1 $2: both replicas running under feeder $new" replicas_running "$new" "$4"
  t2=$(now_ms)
  apply=$(( t2 - $3 ))
  last_take=$take last_apply=$apply
  echo "$name: $1 $2: $active -> $new: active and streaming after $take ms (goal $goal_ms ms, asserted $bound_ms ms), both replicas applying after $apply ms"
  [ "$take" -le "$bound_ms" ] || fail "$1 $2: takeover after $take ms, bound $bound_ms ms"
  [ "$take" -gt "$max_take" ] && max_take=$take
  [ "$apply" -gt "$max_apply" ] && max_apply=$apply
  sum_take=$(( sum_take + take ))
  n_take=$(( n_take + 1 ))
  active=$new
}
for i in $(seq "$kills"); do
  sleep "$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.1f", 0.5 + rand() * 2.5 }')"
  seq0=$(journal_seq "$active")
  t0=$(now_ms)
  kill_feeder "$active"
  killed=$active
  takeover kill "$i" "$t0" "${seq0:-0}"
  start_feeder "$killed"
  await 30 "kill $i: feeder $killed standing by after its restart" is_role "$killed" standby
done

# 3. Cut A's link to the master, CUTS times.
max_down=0
for c in $(seq "$cuts"); do
  if [ "$active" != A ]; then
    t0=$(now_ms); seq0=$(journal_seq B)
    kill_feeder B
    takeover "kill-before-cut" "$c" "$t0" "${seq0:-0}"
    start_feeder B
    await 30 "cut $c: B standing by" is_role B standby
  fi
  sleep 1.5
  seq0=$(journal_seq A)
  ops_proxy mproxy refuse >/dev/null
  ops_proxy mproxy cut >/dev/null
  t0=$(ops_proxy_stat mproxy last_cut_unix_ms)
  takeover cut "$c" "$t0" "${seq0:-0}"
  await 30 "cut $c: A stepped down to standby" is_role A standby
  down=$(( $(now_ms) - t0 ))
  [ "$down" -gt "$max_down" ] && max_down=$down
  grep -q "lease lost: " "$dir/run.log" || fail "cut $c: A did not log the lost lease"
  ops_proxy mproxy accept >/dev/null
done
kill -0 "${pids[A]}" && kill -0 "${pids[B]}" || fail "a feeder exited on its own"

# 3b. Freeze the active feeder (SIGSTOP) for longer than lease_timeout_s: the master ends
# its idle lease session, the other one takes over within lease_timeout_s + the bound,
# and its appliers take the replicas' channels from the frozen one's sessions (fencing);
# continued (SIGCONT), the frozen one finds its lease gone and steps down.
frozen=$active
seq0=$(journal_seq "$frozen")
kill -STOP "${pids[$frozen]}"
t0=$(now_ms)
freeze_bound_ms=$(( lease_timeout_s * 1000 + bound_ms ))
freeze_goal_ms=$(( lease_timeout_s * 1000 + goal_ms ))
saved=("$bound_ms" "$max_take" "$sum_take" "$n_take" "$max_apply" "$goal_ms")
bound_ms=$freeze_bound_ms goal_ms=$freeze_goal_ms
takeover freeze 1 "$t0" "${seq0:-0}"
freeze_take=$last_take freeze_apply=$last_apply
bound_ms=${saved[0]} max_take=${saved[1]} sum_take=${saved[2]} n_take=${saved[3]} max_apply=${saved[4]} goal_ms=${saved[5]}
kill -CONT "${pids[$frozen]}"
await 30 "the frozen feeder $frozen standing by after SIGCONT" is_role "$frozen" standby
grep -hq "was held by another \`vomsrepl run\` (connection [0-9]*) for $lease_timeout_s s" "$dir/run.log" "$dir/runB.log" ||
  fail "no replica channel was taken from the frozen feeder's applier"

# 3c. Every replica down when the active one dies: the other takes the lease but does not
# stream (the point is unknown) until a replica answers.
ops_server stop replica1
ops_server stop replica2
seq0=$(journal_seq "$active")
kill_feeder "$active"
killed=$active
new=$(other "$active")
await 30 "feeder $new holding the lease while no replica answers" is_role "$new" active
sleep 2
[ "$(field "$new" 'd["source"]["state"]')" != streaming ] || fail "feeder $new streams while no replica could tell its progress"
grep -hq "takeover: no replica's progress could be read" "$dir/run.log" "$dir/runB.log" || fail "no log line about the unknown point"
ops_server start replica1
ops_server start replica2
t0=$(now_ms)
await 60 "feeder $new streaming once the replicas answer" active_streaming "$new"
await 90 "both replicas running under feeder $new" replicas_running "$new" "${seq0:-0}"
echo "$name: all replicas down at the kill: $new held the lease without streaming, streamed $(( $(now_ms) - t0 )) ms after the replicas came back"
active=$new
start_feeder "$killed"
await 30 "feeder $killed standing by" is_role "$killed" standby

# 3d. Feeders that must not take turns with the active one: another [filter], or the
# active one's server_id. Each stops within a few seconds, saying why.
peer() {  # peer NAME SED-EXPRESSION WANT-IN-LOG
  local cfg=$dir/$1.toml log=$dir/$1.log rc=0
  sed -e "s#^state_dir = .*#state_dir = \"$dir/state-$1\"#" -e "s#^listen = .*#listen = \"127.0.0.1:0\"#" \
      -e "s/^server_id = 4262$/server_id = 4263/" -e "$2" "$dir/vomsreplB.toml" > "$cfg"
  timeout 60 "$vomsrepl" run --config "$cfg" > "$log" 2>&1 || rc=$?
  [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && grep -q "$3" "$log" || { tail -5 "$log"; fail "standby $1: exit $rc, want a refusal naming: $3"; }
  echo "$name: standby $1 refused: $(grep -o "$3[^;]*" "$log" | head -1)"
}
active_id=4261; [ "$active" = B ] && active_id=4262
peer other-filter "s#^include_databases = .*#include_databases = [\"voms_*\"]\nexclude_tables = [\"voms_otest.usr_attrs\"]#" \
  "filters with another \[filter\]"
peer same-id "s/^server_id = 4263$/server_id = $active_id/" "holds the lock of this feeder's server_id $active_id"

# 4. Converged, equal, one seq per master transaction.
ops_bg_stop
if [ "$active" = B ]; then port=$portB; export OPS_TOKEN_FILE=$dir/stateB/http.token; fi
ops_converge 120
ops_check_equal 0
is_role "$(other "$active")" standby || fail "the feeder that is not active is not standing by"
"$vomsrepl" status --state-dir "$dir/stateB" > "$dir/statusB.txt" || fail "vomsrepl status of B's state directory"
grep -qE '^feeder role +(active|standby) since ' "$dir/statusB.txt" || { cat "$dir/statusB.txt"; fail "status shows no feeder role"; }
rebased=$(cat "$dir/run.log" "$dir/runB.log" | grep -c "journal rebased at seq" || true)
kept=$(cat "$dir/run.log" "$dir/runB.log" | grep -c "takeover: the journal holds seq" || true)
echo "$name: ok: $master_txns master transactions, $kills SIGKILLs and $cuts link cuts, $journaled journaled; journals rebased $rebased times, kept $kept times"
echo "FIGURE: scenario=standby-takeover injected=\"SIGKILL of the active feeder at random moments, its master link cut (fault proxy), SIGSTOP past lease_timeout_s, every replica down at a kill, peers with another [filter] or the same server_id, a standby with the same [standby] lease waiting\" times=$(( kills + cuts + 4 )) kills=$kills cuts=$cuts goal_ms=$goal_ms asserted_ms=$bound_ms max_takeover_ms=$max_take takeovers=$n_take mean_takeover_ms=$(( sum_take / n_take )) max_replicas_applying_ms=$max_apply max_step_down_ms=$max_down freeze_takeover_ms=$freeze_take freeze_goal_ms=$freeze_goal_ms freeze_replicas_applying_ms=$freeze_apply peers_refused=2 master_txns=$master_txns journaled=$journaled lost=0 duplicated=0 total_seconds=$SECONDS result=converged"
