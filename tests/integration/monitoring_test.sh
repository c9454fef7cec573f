#!/usr/bin/env bash
# Monitoring you can alert on (issue 21, deliverable 3), on a sandbox of its own: a master,
# 2 read-only replicas and `vomsrepl run`.
#
#   * from the start, before any traffic: every counter and gauge of /metrics has a sample
#     (0, not absent; vomsrepl_rows_total{database,operation} excepted: its labels come
#     with the rows), vomsrepl_build_info{version,commit} is 1, one
#     vomsrepl_replica_state series per replica and state;
#   * conf/prometheus-alerts.yml passes `promtool check rules` and its unit test
#     (tests/conf/prometheus-alerts.test.yml); conf/grafana-dashboard.json parses and
#     every metric it queries has a sample in this daemon's /metrics;
#   * replica2's server stopped under a workload: /status and /metrics say
#     "reconnecting", vomsrepl_replica_lag_seconds and lag_transactions of replica2 grow
#     while no new transaction arrives (lag is measured from the oldest unapplied commit,
#     not from the newest journaled one); replica1 stays at lag 0;
#   * replica1 stopped over HTTP: `vomsrepl status` shows it stopped (not running), and
#     after `vomsrepl catchup` moved it, /status and `vomsrepl status` show the new seq
#     without a restart;
#   * `vomsrepl status --format json` and GET /status use the same field names;
#   * with replica2 down, check-config fails and check-config --unreachable-ok (the
#     unit's ExecStartPre) passes with a warning naming it;
#   * replica2's server back, replica1 started: both converge, lag 0.
#
# usage: monitoring_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4" name=monitoring_test
source "$(dirname "$0")/ops_lib.sh"

metric() { http /metrics | awk -v m="$1" '$1 == m {print $2}'; }
replica_json() {  # replica_json NAME FIELD: from GET /status
  http /status | python3 -c 'import json,sys; print([r for r in json.load(sys.stdin)["replicas"] if r["name"] == sys.argv[1]][0][sys.argv[2]])' "$1" "$2"
}
state_json() {  # state_json NAME FIELD: from `vomsrepl status --format json`
  "$vomsrepl" status --state-dir "$dir/state" --format json |
    python3 -c 'import json,sys; print([r for r in json.load(sys.stdin)["replicas"] if r["name"] == sys.argv[1]][0][sys.argv[2]])' "$1" "$2"
}

ops_setup
ops_start_daemon

# 1. Every series from the start.
http /metrics > "$dir/metrics0.txt" || fail "/metrics"
python3 - "$dir/metrics0.txt" <<'PY' || fail "/metrics at start: series missing (above)"
import re, sys
types, samples = {}, {}
for line in open(sys.argv[1]):
    if line.startswith("# TYPE "):
        _, _, name, kind = line.split()
        types[name] = kind
    elif line.strip() and not line.startswith("#"):
        name = re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0)
        samples.setdefault(name, []).append(line.strip())
missing = [n for n in types if n not in samples and n != "vomsrepl_rows_total"]
for n in missing:
    print(f"no sample at start: {n} ({types[n]})", file=sys.stderr)
if len(types) < 20:
    print(f"only {len(types)} metric families", file=sys.stderr); sys.exit(1)
states = [l for l in samples.get("vomsrepl_replica_state", [])]
if len(states) != 2 * 5:
    print(f"vomsrepl_replica_state: {len(states)} series, want 10: {states}", file=sys.stderr); sys.exit(1)
info = samples.get("vomsrepl_build_info", [""])[0]
if not re.match(r'vomsrepl_build_info\{.*version="[0-9.]+".*\} 1$', info) or 'commit="' not in info:
    print(f"vomsrepl_build_info: '{info}'", file=sys.stderr); sys.exit(1)
sys.exit(1 if missing else 0)
PY
echo "$name: every series has a sample at start; $(grep '^vomsrepl_build_info' "$dir/metrics0.txt")"

ops_workload 200 41
ops_converge

# 2. Alert rules and dashboard, against this daemon's /metrics.
promtool check rules "$repo/conf/prometheus-alerts.yml" > "$dir/promtool.txt" 2>&1 ||
  { cat "$dir/promtool.txt"; fail "promtool check rules"; }
(cd "$repo/tests/conf" && promtool test rules prometheus-alerts.test.yml) > "$dir/promtool-test.txt" 2>&1 ||
  { cat "$dir/promtool-test.txt"; fail "promtool test rules"; }
http /metrics > "$dir/metrics1.txt" || fail "/metrics"
python3 "$repo/tests/conf/check_dashboard.py" "$repo/conf/grafana-dashboard.json" "$dir/metrics1.txt" ||
  fail "conf/grafana-dashboard.json"

# 3. One schema: the same field names in GET /status and `vomsrepl status --format json`.
http /status > "$dir/status.json" || fail "/status"
"$vomsrepl" status --state-dir "$dir/state" --format json > "$dir/state.json" || fail "vomsrepl status"
python3 - "$dir/status.json" "$dir/state.json" <<'PY' || fail "/status and status --format json differ in field names"
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
def keys(d, prefix=""):
    out = set()
    for k, v in d.items():
        out.add(prefix + k)
        if isinstance(v, dict): out |= keys(v, prefix + k + ".")
        if isinstance(v, list) and v and isinstance(v[0], dict): out |= keys(v[0], prefix + k + "[].")
    return out
ka, kb = keys(a), keys(b)
if ka != kb or len(ka) < 25:
    print("only in /status:", sorted(ka - kb), "only in status:", sorted(kb - ka), len(ka), file=sys.stderr)
    sys.exit(1)
PY

# 4. replica2's server down: its lag grows while nothing new is committed.
ops_server stop replica2
ops_workload 50 42
# journaled: waits until the feeder journaled everything the master committed.
source_at_master() { [ "$(http /status | python3 -c 'import json,sys; print(json.load(sys.stdin)["source"]["gtid_state"])')" = "$master_pos" ]; }
# /metrics samples the journal once a second, so it also waits for the sample that shows
# the journal's end (not for luck).
status_last_seq() { http /status | python3 -c 'import json,sys; print(json.load(sys.stdin)["journal"]["last_seq"])'; }
metric_at_journal_end() { [ "$(metric vomsrepl_journal_last_seq)" = "$(status_last_seq)" ]; }
journaled() {
  master_pos=$(sql master -e "SELECT @@gtid_binlog_pos")
  ops_await 60 "the feeder journaling up to $master_pos" source_at_master
  ops_await 10 "vomsrepl_journal_last_seq at the journal's end" metric_at_journal_end
}
journaled
r2_reconnecting() { [ "$(replica_json replica2 state)" = reconnecting ]; }
ops_await 60 "replica2 reconnecting in /status" r2_reconnecting
r2_state_metric() { [ "$(metric 'vomsrepl_replica_state{replica="replica2",state="reconnecting"}')" = 1 ]; }
ops_await 30 "vomsrepl_replica_state{replica2,reconnecting} 1" r2_state_metric
[ "$(metric 'vomsrepl_replica_state{replica="replica2",state="running"}')" = 0 ] || fail "replica2 also 'running'"
r2_behind() { [ "$(metric 'vomsrepl_replica_lag_transactions{replica="replica2"}')" -ge 1 ] 2>/dev/null; }
ops_await 30 "replica2 lag_transactions >= 1" r2_behind
lag0=$(metric 'vomsrepl_replica_lag_seconds{replica="replica2"}')
last0=$(metric vomsrepl_journal_last_seq)
r2_lag_grew() { [ "$(metric 'vomsrepl_replica_lag_seconds{replica="replica2"}')" -ge $((lag0 + 3)) ]; }
ops_await 30 "replica2 lag_seconds growing past $((lag0 + 3)) (was $lag0)" r2_lag_grew
[ "$(metric vomsrepl_journal_last_seq)" = "$last0" ] || fail "the master committed meanwhile: the test wants a quiet master"
lag1=$(replica_json replica2 lag_seconds)
[ "$lag1" -ge $((lag0 + 3)) ] || fail "/status lag_seconds $lag1, /metrics said more than $((lag0 + 3))"
r1_no_lag() { [ "$(metric 'vomsrepl_replica_lag_seconds{replica="replica1"}')" = 0 ]; }
ops_await 30 "replica1 lag_seconds 0 (its server runs)" r1_no_lag
[ "$(state_json replica2 state)" = reconnecting ] || fail "vomsrepl status: replica2 not reconnecting"
echo "FIGURE: replica2 down: lag_seconds $lag0 -> $lag1 with no new master commit"
# The unit's ExecStartPre: a replica down fails check-config, but not --unreachable-ok.
rc=0
"$vomsrepl" check-config --config "$dir/vomsrepl.toml" > "$dir/check-down.txt" 2>&1 || rc=$?
[ "$rc" -ne 0 ] && grep -q "^FAIL replica replica2: " "$dir/check-down.txt" ||
  { cat "$dir/check-down.txt"; fail "check-config with replica2 down: exit $rc"; }
"$vomsrepl" check-config --unreachable-ok --config "$dir/vomsrepl.toml" > "$dir/check-ok.txt" 2>&1 ||
  { cat "$dir/check-ok.txt"; fail "check-config --unreachable-ok with only replica2 down"; }
grep -q "^warn replica replica2: unreachable" "$dir/check-ok.txt" || { cat "$dir/check-ok.txt"; fail "no warning for replica2"; }
grep -q "^FAIL" "$dir/check-ok.txt" && { cat "$dir/check-ok.txt"; fail "--unreachable-ok still FAILs"; }

# 5. replica1 stopped by the operator: `vomsrepl status` says stopped; catchup moves it
#    while stopped, and /status and `vomsrepl status` follow without a restart.
http_post /replica/replica1/stop >/dev/null || fail "POST /replica/replica1/stop"
ops_await 30 "replica1 stopped in /status" ops_replica_is replica1 stopped
r1_status_stopped() { [ "$(state_json replica1 state)" = stopped ]; }
ops_await 30 "replica1 stopped in vomsrepl status" r1_status_stopped
"$vomsrepl" status --state-dir "$dir/state" > "$dir/status.txt" || fail "vomsrepl status"
grep -qE '^replica1 .* stopped$' "$dir/status.txt" || { cat "$dir/status.txt"; fail "vomsrepl status: replica1 not shown stopped"; }
seq_before=$(replica_json replica1 applied_seq)
ops_workload 30 43
journaled
gtid=$master_pos
[ "$(metric vomsrepl_journal_last_seq)" -gt "$seq_before" ] || fail "the workload journaled nothing"
"$vomsrepl" catchup --config "$dir/vomsrepl.toml" --replica replica1 --until "$gtid" --wait-timeout 30 \
  > "$dir/catchup.txt" 2>&1 || { cat "$dir/catchup.txt"; fail "catchup of the stopped replica1"; }
want=$(sql replica1 -e "SELECT seq FROM vomsrepl.progress WHERE channel = 'replica1'")
[ "$want" -gt "$seq_before" ] || fail "catchup did not move replica1 ($seq_before -> $want)"
r1_fresh() { [ "$(replica_json replica1 applied_seq)" = "$want" ]; }
ops_await 30 "/status applied_seq of replica1 at $want after catchup" r1_fresh
r1_mirror_fresh() { [ "$(state_json replica1 applied_seq)" = "$want" ]; }
ops_await 30 "vomsrepl status applied_seq of replica1 at $want after catchup" r1_mirror_fresh
[ "$(replica_json replica1 state)" = stopped ] || fail "replica1 no longer stopped after catchup"

# 6. Back: both converge, lag 0.
ops_server start replica2
http_post /replica/replica1/start >/dev/null || fail "POST /replica/replica1/start"
ops_converge 120
lag_zero() {
  [ "$(metric 'vomsrepl_replica_lag_seconds{replica="replica2"}')" = 0 ] &&
    [ "$(metric 'vomsrepl_replica_lag_transactions{replica="replica2"}')" = 0 ] &&
    [ "$(metric 'vomsrepl_replica_state{replica="replica2",state="running"}')" = 1 ]
}
ops_await 30 "replica2 lag 0 and running again" lag_zero
ops_check_equal 0
ops_stop_daemon
echo "$name: PASS"
