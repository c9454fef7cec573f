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
#   4. Workload stopped: both replicas equal to the master (CHECKSUM TABLE of every
#      table), and the active journal holds one seq per master transaction (the
#      numbering agreed across every takeover: 0 lost, 0 duplicated); `vomsrepl status`
#      of a state directory shows the role its feeder recorded.
#
# usage: standby_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO FAULT_PROXY
#   VOMSREPL_STANDBY_KILLS (default 10), VOMSREPL_STANDBY_CUTS (default 3)
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4" fault_proxy="$5"
name=standby
kills=${VOMSREPL_STANDBY_KILLS:-10}
cuts=${VOMSREPL_STANDBY_CUTS:-3}
source "$(dirname "$0")/ops_lib.sh"

heartbeat_ms=1000 check_ms=1000
bound_ms=$(( 2 * heartbeat_ms + check_ms ))
ops_before_config() {
  ops_proxy_start mproxy master "$dir/master/repl.cnf"
  OPS_MASTER_CNF="$dir/mproxy.cnf"
}
OPS_HEARTBEAT_MS=$heartbeat_ms
ops_setup "[standby]
lease = \"otest\"
check_interval_ms = $check_ms"
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
grep -q "^ok   standby lease vomsrepl.lease.otest is held by connection [0-9]*.*would stand by" "$dir/checkB.txt" ||
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
  local new t1 t2 take apply
  new=$(other "$active")
  await 30 "$1 $2: feeder $new active and streaming" active_streaming "$new"
  t1=$(now_ms)
  take=$(( t1 - $3 ))
  await 60 "$1 $2: both replicas running under feeder $new" replicas_running "$new" "$4"
  t2=$(now_ms)
  apply=$(( t2 - $3 ))
  echo "$name: $1 $2: $active -> $new: active and streaming after $take ms (bound $bound_ms ms), both replicas applying after $apply ms"
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
echo "FIGURE: scenario=standby-takeover injected=\"SIGKILL of the active feeder at random moments, and its master link cut (fault proxy), a standby with the same [standby] lease waiting\" times=$(( kills + cuts )) kills=$kills cuts=$cuts bound_ms=$bound_ms max_takeover_ms=$max_take takeovers=$n_take mean_takeover_ms=$(( sum_take / n_take )) max_replicas_applying_ms=$max_apply max_step_down_ms=$max_down master_txns=$master_txns journaled=$journaled lost=0 duplicated=0 total_seconds=$SECONDS result=converged"
