#!/usr/bin/env bash
# Network faults (issue 9, item 3): tests/integration/fault_proxy between `vomsrepl run`
# and the master, or between it and replica1, on a sandbox of its own (master + 2
# read-only replicas), always under a running VOMS workload:
#
#   master-cut      the proxy resets every connection (RST) and refuses new ones for 3 s;
#   master-stall    the proxy stops forwarding both ways for 3 s, sockets open (a silent
#                   network: no RST, no FIN);
#     both: the feeder must notice within 2 x heartbeat_ms + 1 s (heartbeat 500 ms: 2 s),
#     measured from the fault (the proxy's cut time; for a stall its answer) to the
#     daemon's own timestamp of its warning about the lost connection (not to when a
#     poll saw it: polls are late on a loaded machine), and must stream again once the
#     network is back; each fault lasts 3 s and until the feeder has noticed it;
#   master-delay    200 ms more latency on every chunk each way for 10 s (and until 5
#                   samples of vomsrepl_master_up were taken): no reconnect;
#   master-cut-big  a ~100 MB transaction (one INSERT ... SELECT into voms_otest.big) cut
#                   half way through its stream to the feeder (cut-after); the feeder
#                   drops the partial transaction and receives it again whole;
#   replica-cut-big the proxy sits between the daemon and replica1 and cuts while replica1
#                   applies that transaction (half of it sent);
#   replica-stall   replica1's link stalls for 10 s (replica1 read_timeout_s = 4): its
#                   runner gives the connection up and reconnects after the resume, while
#                   replica2 keeps applying.
#
# Always: both replicas converge, every table equal to the master's (CHECKSUM TABLE),
# one journal entry per master transaction (0 lost, 0 duplicated). In the -big modes a
# poller on each replica (reader account, in a loop the whole time) checks that
# voms_otest.big has 0 or all its rows, never a part: no partial transaction visible.
# The FIGURE line comes last, after every check passed.
#
# Detection bounds: the issue's (above) with --goal-bounds (tools/reliability-report);
# in the suite 3 s more, for a loaded machine (other tests beside it, tools/test --stress),
# where the daemon's own time stamp is late by what the scheduler makes it. The measured
# figure is printed either way.
#
# usage: network_fault_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO FAULT_PROXY MODE [--goal-bounds]
#   VOMSREPL_NET_TIMES   faults per run in the cut/stall modes (default 3; e.g. 50 by hand)
#   VOMSREPL_NET_BIG_MB  size of the big transaction (default 100)
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4" fault_proxy="$5" mode="$6"
slack_ms=3000
case ${7:-} in
  "") ;;
  --goal-bounds) slack_ms=0 ;;
  *) echo "network_fault_test.sh: unknown argument '$7'" >&2; exit 2 ;;
esac
name="network_$mode"
times=${VOMSREPL_NET_TIMES:-3}
big_mb=${VOMSREPL_NET_BIG_MB:-100}
bound_ms=$(( 2 * 500 + 1000 + slack_ms ))  # 2 x heartbeat_ms (ops_setup: 500) + 1 s (+ slack)
source "$(dirname "$0")/ops_lib.sh"

case $mode in
master-*) ops_before_config() { ops_proxy_start mproxy master "$dir/master/repl.cnf"; }
          OPS_MASTER_CNF="$dir/mproxy.cnf" ;;
replica-*) ops_before_config() { ops_proxy_start rproxy replica1 "$dir/replica1/apply.cnf"; }
           OPS_REPLICA1_CNF="$dir/rproxy.cnf" ;;
*) echo "usage: $0 SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO FAULT_PROXY master-cut|master-stall|master-delay|master-cut-big|replica-cut-big|replica-stall" >&2
   exit 2 ;;
esac
[ "$mode" = replica-stall ] && OPS_REPLICA1_EXTRA="read_timeout_s = 4"
# Where the feeder must NOT reconnect (latency on its link; a cut on the replica's), a
# 2 s heartbeat (4 s of silence before it gives up): on a loaded machine a master can be
# silent for over 1 s (500 ms x 2) with nothing wrong, which is not what these test.
case $mode in master-delay | replica-cut-big) OPS_HEARTBEAT_MS=2000 ;; esac

metric() { http /metrics | awk -v m="$1" '$1 == m {print $2}'; }
as_int() { python3 -c "print(int(float('$1')))"; }

# A background sampler of vomsrepl_master_up: "UNIX_MS VALUE" lines in $dir/up.samples.
sampler_pid=""
sampler_start() {
  : > "$dir/up.samples"
  (
    while true; do
      v=$(curl -sf --max-time 2 "http://127.0.0.1:$port/metrics" | awk '$1 == "vomsrepl_master_up" {print $2}') || v=x
      echo "$(now_ms) $v"
    done
  ) >> "$dir/up.samples" 2>/dev/null &
  sampler_pid=$!
}
sampler_stop() { kill "$sampler_pid" 2>/dev/null || true; wait "$sampler_pid" 2>/dev/null || true; sampler_pid=""; }
# first_down_after T: the first sample at or after T with master_up 0 (empty if none).
first_down_after() { awk -v t="$1" '$1 >= t && $2 == "0" {print $1; exit}' "$dir/up.samples"; }
# samples_between T0 T1 VALUE: how many samples in [T0, T1] had VALUE.
samples_between() { awk -v a="$1" -v b="$2" -v v="$3" '$1 >= a && $1 <= b && $2 == v {n++} END {print n + 0}' "$dir/up.samples"; }
# first_warning_after T TEXT: the UNIX ms of the first log line after T holding
# " warning TEXT" (the log's local time, read back the same way); empty if none.
first_warning_after() {
  awk -v w=" warning $2" 'index($0, w) {print $1}' "$dir/run.log" | while read -r ts; do
    ms=$(date -d "${ts/T/ }" +%s%3N)
    if [ "$ms" -ge "$1" ]; then echo "$ms"; break; fi
  done
}
wait_master_up() {  # wait_master_up TIMEOUT_S: until vomsrepl_master_up is 1
  local deadline=$(( $(date +%s) + $1 ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    [ "$(metric vomsrepl_master_up)" = 1 ] && return 0
    sleep 0.05
  done
  fail "the feeder did not stream again within $1 s"
}

# The big table: created through the binlog (DDL reaches the replicas), filled later by
# ONE transaction of $big_mb MB (1000-byte rows).
big_rows=$(( big_mb * 1024 * 1024 / 1000 ))
big_create() {
  sql master -e "CREATE TABLE voms_otest.big (id INT PRIMARY KEY, pad VARCHAR(1000) NOT NULL) ENGINE=InnoDB"
}
big_fill() {  # one statement, autocommit: one transaction
  sql master -e "USE voms_otest; INSERT INTO big SELECT seq, CONCAT(REPEAT(MD5(seq), 31), LPAD(seq, 8, '0'))
                 FROM seq_1_to_$big_rows"
}
# A poller per replica: COUNT(*) of voms_otest.big in a loop, one line per answer.
poller_pids=()
pollers_start() {
  local r
  rm -f "$dir/poll.stop"
  for r in replica1 replica2; do
    : > "$dir/poll.$r"
    (
      while [ ! -e "$dir/poll.stop" ]; do
        mariadb --defaults-file="$dir/$r/reader.cnf" -N -B -e "SELECT COUNT(*) FROM voms_otest.big" 2>/dev/null || echo err
      done
    ) >> "$dir/poll.$r" &
    poller_pids+=("$!")
  done
  # Each poller has seen the empty table before the transaction starts (waited for).
  polled_empty() { grep -qx 0 "$dir/poll.replica1" && grep -qx 0 "$dir/poll.replica2"; }
  ops_await 60 "a first poll of each replica" polled_empty
}
# pollers_check: once each poller has answered $big_rows (waited for), stops them; every
# answer 0 or $big_rows, a 0 seen (before the transaction: pollers_start).
pollers_check() {
  local r p bad
  polled_full() {
    [ "$(grep -v err "$dir/poll.replica1" | tail -n1)" = "$big_rows" ] &&
      [ "$(grep -v err "$dir/poll.replica2" | tail -n1)" = "$big_rows" ]
  }
  ops_await 60 "a poll of each replica answering $big_rows" polled_full
  touch "$dir/poll.stop"
  for p in "${poller_pids[@]}"; do wait "$p" || true; done
  poll_answers=0
  for r in replica1 replica2; do
    bad=$(awk -v n="$big_rows" '$1 != "0" && $1 != n && $1 != "err"' "$dir/poll.$r" | sort | uniq -c | head -5)
    [ -z "$bad" ] || fail "$r showed a partial transaction: voms_otest.big row counts $bad (want 0 or $big_rows)"
    grep -qx 0 "$dir/poll.$r" || fail "$r: the poller never saw the table before the transaction"
    grep -qx "$big_rows" "$dir/poll.$r" || fail "$r: the poller never saw $big_rows rows"
    poll_answers=$(( poll_answers + $(grep -cvx err "$dir/poll.$r") ))
  done
}

ops_setup
net_cleanup() {
  touch "$dir/poll.stop" 2>/dev/null || true
  local p
  for p in $sampler_pid "${poller_pids[@]}"; do kill "$p" 2>/dev/null || true; done
}
trap 'net_cleanup; ops_cleanup' EXIT
ops_start_daemon
ops_workload 200 61
ops_converge
reconnects0=$(as_int "$(metric vomsrepl_source_reconnects_total)")

case $mode in
master-cut | master-stall)
  ops_bg_start 620
  log0=$(wc -l < "$dir/run.log")
  max_detect=0 sum_detect=0 max_resume=0
  for i in $(seq "$times"); do
    sleep 1.5
    t_before=$(now_ms)
    if [ "$mode" = master-cut ]; then
      ops_proxy mproxy refuse >/dev/null
      ops_proxy mproxy cut >/dev/null
      t0=$(ops_proxy_stat mproxy last_cut_unix_ms)
    else
      ops_proxy mproxy stall >/dev/null
      t0=$(now_ms)
    fi
    # The feeder's warning about the lost connection, waited for (60 s at most).
    noticed() { warned=$(first_warning_after "$t_before" "master stream: "); [ -n "$warned" ]; }
    ops_await 60 "fault $i: a warning about the lost master connection after the $mode" noticed
    while [ $(( $(now_ms) - t0 )) -lt 3000 ]; do sleep 0.1; done
    detect=$(( warned > t0 ? warned - t0 : 0 ))
    echo "$name: fault $i: the daemon warned $detect ms after the $mode (bound $bound_ms ms)"
    [ "$detect" -le "$bound_ms" ] || fail "fault $i: the $mode was noticed after $detect ms, bound $bound_ms ms"
    # Down while the network is: the gauge follows the warning (waited for), and the
    # feeder does not stream through a dead link.
    master_down() { [ "$(metric vomsrepl_master_up)" = 0 ]; }
    ops_await 30 "fault $i: vomsrepl_master_up 0 while the network is down" master_down
    http /status > "$dir/status.json"
    state=$(json "$dir/status.json" 'd["source"]["state"]')
    [[ $state =~ ^master\ unreachable\ since\ [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z\ \(.+\)$ ]] ||
      fail "fault $i: /status source.state during the outage: '$state'"
    [ "$i" -eq 1 ] && echo "$name: /status source.state: $state"
    if [ "$mode" = master-cut ]; then ops_proxy mproxy accept >/dev/null; else ops_proxy mproxy resume >/dev/null; fi
    t2=$(now_ms)
    wait_master_up 30
    resume=$(( $(now_ms) - t2 ))
    [ "$detect" -le "$max_detect" ] || max_detect=$detect
    [ "$resume" -le "$max_resume" ] || max_resume=$resume
    sum_detect=$(( sum_detect + detect ))
  done
  ops_bg_stop
  ops_converge 120
  ops_check_equal 0
  # Every fault was noticed and streamed through again (waited for above): at least one
  # reconnect each. More are possible (a connection made as the network comes back may be
  # lost again), but the counter moves exactly once per "reconnected" line.
  counted_as_logged() {
    reconnects=$(( $(as_int "$(metric vomsrepl_source_reconnects_total)") - reconnects0 ))
    logged=$(tail -n +"$((log0 + 1))" "$dir/run.log" | grep -c 'master stream: reconnected' || true)
    [ "$reconnects" -eq "$logged" ]
  }
  ops_await 30 "reconnects_total equal to the reconnects logged" counted_as_logged
  [ "$reconnects" -ge "$times" ] || fail "reconnects_total moved by $reconnects for $times faults"
  what=$([ "$mode" = master-cut ] && echo "RST of every feeder-master connection, new ones refused for 3 s" ||
         echo "feeder-master link stalled for 3 s (no RST, no FIN)")
  echo "FIGURE: scenario=$name injected=\"$what, under load\" times=$times detect_ms=$max_detect mean_detect_ms=$(( sum_detect / times )) bound_ms=$bound_ms resume_ms=$max_resume master_txns=$master_txns journaled=$journaled lost=0 duplicated=0 reconnects=$reconnects result=converged"
  ;;

master-delay)
  ops_bg_start 640
  sampler_start
  sleep 1
  log0=$(wc -l < "$dir/run.log")
  ops_proxy mproxy delay 200 >/dev/null
  t0=$(now_ms)
  # 10 s of latency, and at least 5 samples taken under it (waited for, 120 s at most):
  # how many a sampler takes in 10 s depends on the machine's load.
  sampled() { [ $(( $(now_ms) - t0 )) -ge 10000 ] && [ "$(samples_between "$t0" "$(now_ms)" 1)" -ge 5 ]; }
  ops_await 120 "5 samples of vomsrepl_master_up under the delay" sampled
  t1=$(now_ms)
  ops_proxy mproxy delay 0 >/dev/null
  sampler_stop
  ops_bg_stop
  up=$(samples_between "$t0" "$t1" 1)
  down=$(samples_between "$t0" "$t1" 0)
  [ "$down" -eq 0 ] || fail "master_up read 0 in $down samples under 200 ms of latency"
  # The log sees every connection loss, sampled or not.
  ! tail -n +"$((log0 + 1))" "$dir/run.log" | grep -q ' warning master stream: .*reconnecting' ||
    fail "the feeder lost its master connection under 200 ms of latency"
  ops_converge 120
  ops_check_equal 0
  reconnects=$(( $(as_int "$(metric vomsrepl_source_reconnects_total)") - reconnects0 ))
  [ "$reconnects" -eq 0 ] || fail "the feeder reconnected $reconnects times under 200 ms of latency"
  echo "FIGURE: scenario=$name injected=\"200 ms added to every chunk each way on the feeder-master link for 10 s, under load\" times=1 delay_ms=200 up_samples=$up down_samples=0 reconnects=0 master_txns=$master_txns journaled=$journaled lost=0 duplicated=0 result=converged"
  ;;

master-cut-big | replica-cut-big)
  big_create
  ops_converge 60
  pollers_start
  ops_bg_start 660
  half=$(( big_rows * 1000 / 2 ))
  if [ "$mode" = master-cut-big ]; then
    ops_proxy mproxy cut-after "$half" down >/dev/null
    proxy=mproxy
  else
    ops_proxy rproxy cut-after "$half" up >/dev/null
    proxy=rproxy
  fi
  t0=$(now_ms)
  big_fill
  fill_ms=$(( $(now_ms) - t0 ))
  echo "$name: $big_rows rows ($big_mb MB) inserted on the master in one transaction in $fill_ms ms"
  for _ in $(seq 600); do
    [ "$(ops_proxy_stat "$proxy" cuts)" -ge 1 ] && break
    sleep 0.1
  done
  [ "$(ops_proxy_stat "$proxy" cuts)" -eq 1 ] || fail "the proxy did not cut after $half bytes within 60 s"
  echo "$name: the proxy cut after $half more bytes $([ $proxy = mproxy ] && echo "to the feeder" || echo "to replica1")"
  t_cut=$(now_ms)
  ops_bg_stop
  ops_converge 180
  echo "$name: both replicas at the master's position $(( $(now_ms) - t_cut )) ms after the cut was seen"
  pollers_check
  ops_check_equal 0
  [ "$(sql master -e "SELECT COUNT(*) FROM voms_otest.big")" = "$big_rows" ] || fail "the master's big table is not full"
  reconnects=$(( $(as_int "$(metric vomsrepl_source_reconnects_total)") - reconnects0 ))
  # Detection: from the proxy's cut to the daemon's warning about that link.
  cut_ms=$(ops_proxy_stat "$proxy" last_cut_unix_ms)
  warned=$(first_warning_after "$cut_ms" "$([ "$mode" = master-cut-big ] && echo "master stream: " || echo "replica replica1: ")")
  [ -n "$warned" ] || fail "no warning about the cut link in the log"
  detect=$(( warned - cut_ms ))
  echo "$name: the daemon warned $detect ms after the cut (bound $bound_ms ms)"
  [ "$detect" -le "$bound_ms" ] || fail "the cut was noticed after $detect ms, bound $bound_ms ms"
  if [ "$mode" = master-cut-big ]; then
    # At least one reconnect, and the counter moves once per "reconnected" line (a
    # connection made right after the cut may be lost again: not a fixed number).
    logged=$(grep -c 'master stream: reconnected' "$dir/run.log" || true)
    [ "$reconnects" -ge 1 ] && [ "$reconnects" -eq "$logged" ] ||
      fail "reconnects_total moved by $reconnects for one cut, $logged reconnects logged"
    grep -q 'discarding a partly received transaction' "$dir/run.log" ||
      fail "the feeder did not report a partly received transaction: the cut was not inside it"
    where="feeder-master link cut (RST) after $half bytes of a $big_mb MB transaction"
  else
    [ "$reconnects" -eq 0 ] || fail "the feeder reconnected $reconnects times for a replica-side cut"
    grep -q ' warning .*replica1' "$dir/run.log" || fail "no warning from replica1's runner for the cut"
    where="daemon-replica1 link cut (RST) after $half bytes sent while replica1 applied a $big_mb MB transaction"
  fi
  echo "FIGURE: scenario=$name injected=\"$where, under load\" times=1 detect_ms=$detect bound_ms=$bound_ms big_rows=$big_rows poll_answers=$poll_answers partial_seen=0 master_txns=$master_txns journaled=$journaled lost=0 duplicated=0 result=converged"
  ;;

replica-stall)
  # The runner notices a stall when it uses the link (an idle runner sends nothing):
  # one workload process, a steady flow of transactions (chunks would leave gaps while
  # the next workload process starts), and the stall once replica1 is applying it.
  # The client itself in the background, so that killing it ends the flow at once.
  "$repo/tools/voms-workload" --vo otest --transactions 20000 --seed 680 --dir "$dir" --print > "$dir/steady.sql"
  mariadb --defaults-file="$dir/master/app.cnf" --batch voms_otest < "$dir/steady.sql" > /dev/null 2>&1 &
  bg_pid=$!
  http /status > "$dir/status.json"
  s0=$(json "$dir/status.json" 'd["replicas"][0]["applied_seq"]')
  for _ in $(seq 600); do
    http /status > "$dir/status.json"
    [ "$(json "$dir/status.json" 'd["replicas"][0]["applied_seq"]')" -gt $(( s0 + 20 )) ] && break
    sleep 0.1
  done
  [ "$(json "$dir/status.json" 'd["replicas"][0]["applied_seq"]')" -gt $(( s0 + 20 )) ] ||
    fail "replica1 did not apply the background workload within 60 s"
  rt_s=4
  rbound_ms=$(( rt_s * 1000 + 2000 + slack_ms ))  # replica1 read_timeout_s + 2 s (+ slack)
  ops_proxy rproxy stall >/dev/null
  t0=$(now_ms)
  echo "$name: replica1's link stalled at $(date -u +%H:%M:%S.%3N) UTC"
  http /status > "$dir/status.json"
  seq2_0=$(json "$dir/status.json" 'd["replicas"][1]["applied_seq"]')
  state1=""
  while [ $(( $(now_ms) - t0 )) -lt 60000 ]; do
    http /status > "$dir/status.json"
    state1=$(json "$dir/status.json" 'd["replicas"][0]["state"]')
    case $state1 in reconnecting*) break ;; esac
    sleep 0.1
  done
  case $state1 in reconnecting*) ;; *) fail "replica1 is '$state1' 60 s into the stall" ;; esac
  # The moment the runner gave up: its warning's timestamp, not when a /status poll
  # (slow on a loaded machine) saw it.
  warned=$(first_warning_after "$t0" "replica replica1: ")
  [ -n "$warned" ] || fail "no warning from replica1's runner after the stall"
  detect=$(( warned - t0 ))
  echo "$name: replica1 $state1 after $detect ms (read_timeout_s $rt_s, bound $rbound_ms ms)"
  [ "$detect" -le "$rbound_ms" ] || fail "replica1's runner noticed the stall after $detect ms, bound $rbound_ms ms"
  # The stall lasts 10 s, and until replica2 was seen applying during it (60 s at most).
  r2_moved() {
    http /status > "$dir/status.json" &&
      seq2_1=$(json "$dir/status.json" 'd["replicas"][1]["applied_seq"]') && [ "$seq2_1" -gt "$seq2_0" ]
  }
  ops_await 60 "replica2 applying while replica1's link is stalled (from seq $seq2_0)" r2_moved
  while [ $(( $(now_ms) - t0 )) -lt 10000 ]; do sleep 0.2; done
  ops_proxy rproxy resume >/dev/null
  t1=$(now_ms)
  for _ in $(seq 600); do
    http /status > "$dir/status.json"
    [ "$(json "$dir/status.json" 'd["replicas"][0]["state"]')" = running ] && break
    sleep 0.1
  done
  [ "$(json "$dir/status.json" 'd["replicas"][0]["state"]')" = running ] || fail "replica1 did not run again within 60 s of the resume"
  resume_ms=$(( $(now_ms) - t1 ))
  kill "$bg_pid"  # the transaction it had open is rolled back on the master: never in the binlog
  wait "$bg_pid" 2>/dev/null || true
  bg_pid=""
  ops_converge 120
  ops_check_equal 0
  echo "FIGURE: scenario=$name injected=\"daemon-replica1 link stalled for 10 s (no RST, no FIN), under load\" times=1 detect_ms=$detect bound_ms=$rbound_ms read_timeout_s=$rt_s resume_ms=$resume_ms replica2_applied_during=$(( seq2_1 - seq2_0 )) master_txns=$master_txns journaled=$journaled lost=0 duplicated=0 result=converged"
  ;;
esac

ops_stop_daemon
echo "$name: ok"
