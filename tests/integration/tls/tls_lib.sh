# shellcheck shell=bash
# Shared by tls_test.sh and replica_tls_test.sh (sourced, not run): the two sandboxes
# (one `tools/sandbox start --tls`, one plain), option files without ssl-* keys, and a
# `vomsrepl run` followed until replica1 converges. On top of common_lib.sh (fail, sql,
# checksums, cleanup) and expect_lib.sh (expect_exit, one_error). The caller sets:
# sandbox vomsrepl dir name.
# shellcheck disable=SC2154  # sandbox, dir: set by the caller

# shellcheck source=../common_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common_lib.sh"
# shellcheck source=../expect_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../expect_lib.sh"

plain="$dir-plain"

# tls_sandboxes VO PLAIN_REPLICAS: in $dir a --tls sandbox (master + 1 replica, voms_VO
# loaded on both, its variables exported), in $plain a sandbox without TLS (master +
# PLAIN_REPLICAS replicas); both stopped and purged at exit. Sets ca and wrong_ca (the
# sandbox's CA and the unrelated one) and out ($dir/out, created). A start that fails
# is run again to show why.
tls_sandboxes() {
  local vo=$1 plain_replicas=$2
  sandbox_dirs=("$plain")
  trap cleanup EXIT
  cleanup
  "$sandbox" start --tls --replicas 1 --dir "$dir" --load-voms "$vo" --also-replicas >/dev/null 2>&1 ||
    "$sandbox" start --tls --replicas 1 --dir "$dir" --load-voms "$vo" --also-replicas
  "$sandbox" start --replicas "$plain_replicas" --dir "$plain" >/dev/null 2>&1 ||
    "$sandbox" start --replicas "$plain_replicas" --dir "$plain"
  eval "$("$sandbox" env --dir "$dir")"
  ca="$VOMSREPL_SANDBOX_TLS_CA" wrong_ca="$VOMSREPL_SANDBOX_TLS_WRONG_CA"
  [ -f "$ca" ] && [ -f "$wrong_ca" ] || fail "sandbox.env names no CA files"
  out="$dir/out"
  mkdir -p "$out"
}

# cnf NAME BASE [LINE...]: BASE's [client] group without its ssl-* keys, plus LINEs (0600).
cnf() {
  local f="$out/$1.cnf" base=$2
  shift 2
  (umask 077; { grep -v '^ssl' "$base"; printf '%s\n' "$@"; } > "$f")
  echo "$f"
}

# tls_config NAME MASTER_CNF SERVER_ID REPLICA_CNF MASTER_LINES FILTER_LINES REPLICA_LINES:
# $out/NAME.toml (its path printed): state in $out/state-NAME; the master through
# MASTER_CNF from its oldest binlog (heartbeat 500 ms, read timeout 3 s, connect timeout
# 10 s); the voms_* databases; replica1 through REPLICA_CNF; no HTTP; the log in
# $out/NAME.log. Each *_LINES text (newline-terminated lines, or empty) goes at the end
# of [master], [filter] and the [[replica]] table.
tls_config() {
  local name=$1 master_cnf=$2 server_id=$3 replica_cnf=$4 master=$5 filter=$6 replica=$7
  cat > "$out/$name.toml" <<EOF
state_dir = "$out/state-$name"
[master]
defaults_file = "$master_cnf"
server_id = $server_id
start = "oldest"
heartbeat_ms = 500
read_timeout_s = 3
connect_timeout_s = 10
${master}[filter]
include_databases = ["voms_*"]
${filter}[[replica]]
name = "replica1"
defaults_file = "$replica_cnf"
${replica}[http]
listen = ""
[log]
file = "$out/$name.log"
EOF
  echo "$out/$name.toml"
}

# tls_converge CASE DB: `vomsrepl run` ($daemon_pid, logging to $out/CASE.log) brings
# replica1's progress row to the master's GTID position within 60 s, without exiting;
# then DB is equal on master and replica1 (CHECKSUM TABLE) and the daemon ends with
# exit 0 on SIGTERM.
tls_converge() {
  local case_name=$1 db=$2 want got="" deadline
  want=$(sql master -e "SELECT @@gtid_binlog_pos")
  deadline=$(( $(date +%s) + 60 ))
  until got=$(progress_state replica1 2>/dev/null || true); [ "$got" = "$want" ]; do
    kill -0 "$daemon_pid" 2>/dev/null ||
      { cat "$out/${case_name}_run".* "$out/$case_name.log" >&2 2>/dev/null; fail "$case_name: vomsrepl run exited"; }
    [ "$(date +%s)" -lt "$deadline" ] ||
      { tail -20 "$out/$case_name.log" >&2; fail "$case_name: replica1 progress '$got', master at '$want' after 60 s"; }
    sleep 0.2
  done
  [ "$(checksums master "$db")" = "$(checksums replica1 "$db")" ] || fail "$case_name: $db differs between master and replica1"
  kill -TERM "$daemon_pid"
  wait "$daemon_pid" || fail "$case_name: vomsrepl run exited with $? after SIGTERM"
  daemon_pid=""
}
