#!/usr/bin/env bash
# Maintenance of one server while `vomsrepl run` feeds 2 read-only replicas (issue 10,
# items 1 and 2), on a sandbox of its own:
#
#   master-stop   the master is shut down cleanly (tools/sandbox stop-server master) for
#                 OUTAGE seconds, then started again on the same port;
#   master-kill   the same with kill -9 of the master (tools/sandbox stop-server --kill);
#   replica-stop  replica2's server is shut down for OUTAGE seconds while the workload
#                 goes on, then started again.
#
# Checked: during a master outage /status source.state reads "master unreachable since
# <UTC> (<cause>)", /metrics vomsrepl_master_up is 0, /health stays 200, both replicas
# answer SELECTs, the log holds ONE warning for the outage (plus one reminder a minute),
# no error line; afterwards the feeder resumed by itself (vomsrepl_source_reconnects_total
# +1). During a replica outage replica1 keeps up, /status shows replica2 "reconnecting"
# with its error and a growing lag_transactions, `vomsrepl status` keeps its last seq;
# afterwards it catches up from the journal (lag 0); then a VO database created and
# loaded on the master while vomsrepl runs reaches both replicas. Always: every table equal to the
# master's (CHECKSUM TABLE) and one journal entry per kept master transaction.
#
# usage: maintenance_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO MODE
#   VOMSREPL_MAINT_OUTAGE_S (default 20; e.g. 300 for the "several minutes" variant)
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4" mode="$5"
name="maintenance_$mode"
outage=${VOMSREPL_MAINT_OUTAGE_S:-20}
source "$(dirname "$0")/ops_lib.sh"

ops_setup
ops_start_daemon
ops_workload 300 31
ops_converge

metric() { http /metrics | awk -v m="$1" '$1 == m {print $2}'; }
log_lines() { wc -l < "$dir/run.log"; }

case $mode in
master-stop | master-kill)
  reconnects0=$(metric vomsrepl_source_reconnects_total)
  log0=$(log_lines)
  if [ "$mode" = master-kill ]; then
    # Killed while a workload runs on it: whatever it committed must arrive.
    "$repo/tools/voms-workload" --vo otest --transactions 2000 --seed 33 --dir "$dir" >/dev/null 2>&1 &
    bg_pid=$!
    sleep 1.5
    ops_server kill master
    wait "$bg_pid" 2>/dev/null || true  # the client lost its server
    bg_pid=""
  else
    ops_server stop master
  fi
  t0=$(now_ms)
  state=""
  deadline=$(( $(date +%s) + 60 ))
  while :; do
    http /status > "$dir/status.json" || fail "/status does not answer"
    state=$(json "$dir/status.json" 'd["source"]["state"]')
    case $state in "master unreachable since "*) break ;; esac
    [ "$(date +%s)" -lt "$deadline" ] || break
    sleep 0.1
  done
  detect_ms=$(( $(now_ms) - t0 ))
  [[ $state =~ ^master\ unreachable\ since\ [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z\ \(.+\)$ ]] ||
    fail "/status source.state during the outage: '$state'"
  echo "$name: /status source.state: $state"
  # The feeder sets the state, then the gauge: wait for the gauge rather than race it.
  master_down() { [ "$(metric vomsrepl_master_up)" = 0 ]; }
  ops_await 30 "vomsrepl_master_up 0 during the outage" master_down
  http /health >/dev/null || fail "/health is not 200 while only the master is down"
  # Replicas keep serving reads (the VOMS servers read them), several times over the outage.
  reads=0
  while [ $(( $(now_ms) - t0 )) -lt $(( outage * 1000 )) ]; do
    for r in replica1 replica2; do
      n=$("$sandbox" sql "$r" --as reader --dir "$dir" -- -N -B -e "SELECT COUNT(*) FROM voms_otest.usr") ||
        fail "$r does not answer a SELECT while the master is down"
      [ "$n" -gt 0 ] || fail "$r: voms_otest.usr is empty"
      reads=$((reads + 1))
    done
    sleep 1
  done
  if [ "$mode" = master-stop ]; then
    # A vomsrepl *started* while the master is down exits 5 (unavailable); under
    # systemd it is started again until the master answers (docs/voms-guide.md).
    sed -e "s|^state_dir = .*|state_dir = \"$dir/state-cold\"|" -e 's|^listen = .*|listen = ""|' \
      -e 's|^name = \(.*\)$|name = \1\nenabled = false|' \
      "$dir/vomsrepl.toml" > "$dir/cold.toml"
    rc=0
    timeout 60 "$vomsrepl" run --config "$dir/cold.toml" > "$dir/cold.log" 2>&1 || rc=$?
    [ "$rc" -eq 5 ] || { cat "$dir/cold.log" >&2; fail "vomsrepl started with the master down exited $rc, want 5"; }
  fi
  http /status > "$dir/status.json" || fail "/status does not answer"
  case $(json "$dir/status.json" 'd["source"]["state"]') in
    "master unreachable since "*) ;;
    *) fail "the feeder left the unreachable state while the master was down" ;;
  esac
  ops_server start master
  t1=$(now_ms)
  for _ in $(seq 300); do
    [ "$(metric vomsrepl_master_up)" = 1 ] && break
    sleep 0.1
  done
  resume_ms=$(( $(now_ms) - t1 ))
  [ "$(metric vomsrepl_master_up)" = 1 ] || fail "the feeder did not resume within 30 s of the master's start"
  outage_ms=$(( t1 - t0 ))
  ops_workload 300 32
  ops_converge
  ops_check_equal 0
  unreachable_ms=$(( $(now_ms) - t0 ))
  # Log: one warning per lost connection (not one per failed attempt: a 20 s outage has
  # about ten of those), one reminder per full minute unreachable, no error. How many
  # connections are lost for one outage is not fixed (a connection made while the master
  # starts may be lost again), but every loss ends in one "reconnected" line, counted
  # once in vomsrepl_source_reconnects_total.
  tail -n +"$((log0 + 1))" "$dir/run.log" > "$dir/outage.log"
  losses=$(grep -c ' warning master stream: .*reconnecting with backoff' "$dir/outage.log" || true)
  reminders=$(grep -c ' warning master stream: master still unreachable after' "$dir/outage.log" || true)
  reconnected=$(grep -c 'master stream: reconnected' "$dir/outage.log" || true)
  warnings=$((losses + reminders))
  [ "$losses" -ge 1 ] && [ "$losses" -eq "$reconnected" ] ||
    { cat "$dir/outage.log" >&2; fail "$losses connection-loss warnings and $reconnected reconnects logged for one outage (want as many, at least 1)"; }
  [ "$reminders" -le $(( unreachable_ms / 60000 )) ] ||
    { cat "$dir/outage.log" >&2; fail "$reminders 'still unreachable' reminders within $((unreachable_ms / 1000)) s (one a minute)"; }
  ! grep -qE '^[^ ]+ (error|critical) ' "$dir/outage.log" || { cat "$dir/outage.log" >&2; fail "error lines during a master outage"; }
  # The "reconnected" line is logged just before the counter moves: wait for the counter.
  counted_as_logged() {
    reconnects1=$(metric vomsrepl_source_reconnects_total)
    logged=$(tail -n +"$((log0 + 1))" "$dir/run.log" | grep -c 'master stream: reconnected' || true)
    [ "$(python3 -c "print(int(float('$reconnects1') - float('$reconnects0')))")" -eq "$logged" ]
  }
  ops_await 30 "reconnects_total ($reconnects0 -> ${reconnects1:-?}) equal to the reconnects logged" counted_as_logged
  # SIGHUP (systemctl reload) reopens the log and nothing else: the daemon goes on.
  kill -HUP "$daemon_pid"
  hup_logged() { grep -q 'SIGHUP: log reopened' "$dir/run.log"; }
  ops_await 30 "'SIGHUP: log reopened' in the log" hup_logged
  kill -0 "$daemon_pid" 2>/dev/null || fail "the daemon exited on SIGHUP"
  injected="master $( [ "$mode" = master-kill ] && echo "kill -9 under load" || echo "clean shutdown" ) for $((outage_ms / 1000)) s"
  echo "FIGURE: scenario=$name injected=\"$injected\" times=1 master_txns=$master_txns journaled=$journaled lost=0 duplicated=0 detect_ms=$detect_ms resume_ms=$resume_ms warnings=$warnings replica_reads=$reads result=converged"
  ;;

replica-stop)
  ops_bg_start 340
  sleep 1
  ops_server stop replica2
  t0=$(now_ms)
  # Sampled until the outage has lasted OUTAGE seconds AND replica2 was seen
  # reconnecting with a lag that then grew (the workload goes on): both are waited for
  # (deadline OUTAGE + 120 s), not assumed from the outage's length.
  lag_first=-1 lag_last=-1 r1_max_lag=0 state2=""
  deadline=$(( t0 + (outage + 120) * 1000 ))
  while [ $(( $(now_ms) - t0 )) -lt $(( outage * 1000 )) ] || [ "$state2" != reconnecting ] ||
        [ "$lag_last" -le "$lag_first" ]; do
    [ "$(now_ms)" -lt "$deadline" ] || break
    http /status > "$dir/status.json" || fail "/status does not answer"
    read -r state2 lag2 lag1 < <(json "$dir/status.json" \
      '" ".join([d["replicas"][1]["state"], str(d["replicas"][1]["lag_transactions"]), str(d["replicas"][0]["lag_transactions"])])')
    if [ "$state2" = reconnecting ]; then
      [ "$lag_first" -ge 0 ] || lag_first=$lag2
      lag_last=$lag2
    fi
    [ "$lag1" -le "$r1_max_lag" ] || r1_max_lag=$lag1
    sleep 0.5
  done
  [ "$state2" = reconnecting ] || fail "replica2's state is '$state2' while its server is down"
  err2=$(json "$dir/status.json" 'd["replicas"][1]["last_error"]')
  [ -n "$err2" ] || fail "replica2 shows no error while its server is down"
  echo "$name: replica2 during the outage: $state2, lag $lag_first -> $lag_last transactions; error: $err2"
  [ "$lag_last" -gt "$lag_first" ] || fail "replica2's lag did not grow ($lag_first -> $lag_last) while the workload ran"
  # The mirror keeps replica2's last seq (it blocks purge) and says why it is behind.
  "$vomsrepl" status --state-dir "$dir/state" > "$dir/status.txt" 2>&1 || true
  grep -q '^replica2 .*reconnecting since ' "$dir/status.txt" ||
    { cat "$dir/status.txt" >&2; fail "vomsrepl status does not show replica2 reconnecting"; }
  # replica1 keeps up without replica2: once the workload stops, it reaches the journal's
  # end while replica2's server is still down. (How far behind it was meanwhile depends
  # on the machine's load: r1_max_lag is reported, not bounded.)
  ops_bg_stop
  r1_at_end() {
    http /status > "$dir/status.json" 2>/dev/null &&
      python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); r1, r2 = d["replicas"]
sys.exit(0 if d["source"].get("gtid_state") == sys.argv[2] and r1["state"] == "running" and r1["applied_seq"] == d["journal"]["last_seq"] and r2["state"] == "reconnecting" else 1)' \
        "$dir/status.json" "$(sql master -e "SELECT @@gtid_binlog_pos")"
  }
  ops_await 120 "replica1 at the journal's end while replica2's server is down" r1_at_end
  ops_server start replica2
  t1=$(now_ms)
  ops_converge 120
  catchup_ms=$(( $(now_ms) - t1 ))
  ops_check_equal 0
  [ "$(json "$dir/status.json" 'd["replicas"][1]["lag_transactions"]')" -eq 0 ] || fail "replica2 lag is not 0"
  # Adding a VO (docs/voms-guide.md): its database created and loaded on the master
  # while vomsrepl runs reaches every replica under the voms_* filter, DDL included.
  "$sandbox" load-voms --vo newvo --dir "$dir" >/dev/null 2>&1 || fail "load-voms newvo on the master"
  ops_converge 60
  ops_check_equal 0
  m=$(checksums master voms_newvo)
  [ "$(echo "$m" | wc -l)" -ge 30 ] || fail "voms_newvo: expected the VOMS schema on the master"
  for r in replica1 replica2; do
    [ "$(checksums "$r" voms_newvo)" = "$m" ] || fail "$r voms_newvo (a VO added while running) differs from the master"
  done
  echo "FIGURE: scenario=$name injected=\"replica2 server stopped for $(( (t1 - t0) / 1000 )) s under load\" times=1 master_txns=$master_txns journaled=$journaled lost=0 duplicated=0 max_lag_transactions=$lag_last replica1_max_lag=$r1_max_lag catchup_ms=$catchup_ms result=converged"
  ;;
*) echo "usage: $0 SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO master-stop|master-kill|replica-stop" >&2; exit 2 ;;
esac

ops_stop_daemon
echo "$name: ok"
