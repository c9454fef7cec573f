#!/usr/bin/env bash
# sandbox_lifecycle_test.sh SANDBOX_TOOL DIR: start --replicas 2, start again (idempotent),
# status, env, stop; afterwards no mariadbd of DIR may run and no port of it may listen.
set -euo pipefail

tool=${1:?usage: sandbox_lifecycle_test.sh SANDBOX_TOOL DIR}
dir=${2:?usage: sandbox_lifecycle_test.sh SANDBOX_TOOL DIR}

# shellcheck source=common_lib.sh
source "$(dirname "$0")/common_lib.sh"  # fail
step() { echo "== $*"; }

server_pids() {  # PIDs of mariadbd processes started from DIR's option files
  local p
  for p in $(pgrep -x mariadbd || true); do
    if [[ $'\n'"$(tr '\0' '\n' <"/proc/$p/cmdline" 2>/dev/null || true)" == *$'\n'"--defaults-file=$dir/"* ]]; then
      # Zombies have no command line, so a match here is a live server.
      echo "$p"
    fi
  done
}

port_free() {
  python3 -c 'import socket,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)' "$1"
}

# Whatever happens, leave nothing behind.
trap '"$tool" destroy --dir "$dir" >/dev/null 2>&1 || true' EXIT

"$tool" destroy --dir "$dir" >/dev/null 2>&1 || true

step "start --replicas 2"
"$tool" start --replicas 2 --dir "$dir"
[[ $(server_pids | wc -l) -eq 3 ]] || fail "expected 3 servers, found: $(server_pids | tr '\n' ' ')"

step "start again (idempotent)"
before=$(server_pids | sort)
out=$("$tool" start --dir "$dir" 2>&1) || fail "second start failed: $out"
echo "$out"
grep -q "already running" <<<"$out" || fail "second start did not report 'already running'"
[[ $(server_pids | sort) == "$before" ]] || fail "second start changed the server processes"

step "start with another replica count is refused"
if "$tool" start --replicas 3 --dir "$dir" 2>/dev/null; then fail "start --replicas 3 accepted"; fi

step "status"
"$tool" status --dir "$dir" || fail "status exit code $? with all servers up"
status=$("$tool" status --dir "$dir")
[[ $(grep -c ' yes ' <<<"$status") -eq 3 ]] || fail "status does not show 3 live servers"
grep -Eq '^master +master .* OFF ' <<<"$status" || fail "master not shown writable"
[[ $(grep -Ec '^replica[12] +replica .* ON ' <<<"$status") -eq 2 ]] || fail "replicas not shown read-only"

step "env"
eval "$("$tool" env --dir "$dir")"
[[ $VOMSREPL_SANDBOX_DIR == "$dir" ]] || fail "VOMSREPL_SANDBOX_DIR=$VOMSREPL_SANDBOX_DIR"
[[ $VOMSREPL_REPLICA_COUNT == 2 ]] || fail "VOMSREPL_REPLICA_COUNT=$VOMSREPL_REPLICA_COUNT"
ports=("$VOMSREPL_MASTER_PORT" "$VOMSREPL_REPLICA1_PORT" "$VOMSREPL_REPLICA2_PORT")
for f in "$VOMSREPL_MASTER_DEFAULTS_FILE" "$VOMSREPL_MASTER_ADMIN_DEFAULTS_FILE" \
         "$VOMSREPL_REPLICA1_DEFAULTS_FILE" "$VOMSREPL_REPLICA2_DEFAULTS_FILE"; do
  [[ $(stat -c %a "$f") == 600 ]] || fail "$f is not mode 0600"
done
for p in "${ports[@]}"; do
  if port_free "$p"; then fail "port $p is not in use while the sandbox runs"; fi
done
if grep -qi password "$dir/sandbox.env"; then fail "sandbox.env mentions a password"; fi

step "load-voms on master and replicas"
"$tool" load-voms --vo life --also-replicas --dir "$dir"
for s in master replica1 replica2; do
  n=$("$tool" sql "$s" --dir "$dir" -- --batch --skip-column-names \
        -e "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'voms_life'")
  [[ $n == 35 ]] || fail "$s has $n tables in voms_life"
done

step "stop"
"$tool" stop --dir "$dir"
[[ -z $(server_pids) ]] || fail "mariadbd still running: $(server_pids | tr '\n' ' ')"
for p in "${ports[@]}"; do
  port_free "$p" || fail "port $p still in use after stop"
done
rc=0
"$tool" status --dir "$dir" >/dev/null || rc=$?
[[ $rc == 3 ]] || fail "status after stop exited $rc, want 3"
"$tool" stop --dir "$dir" | grep -q "" || true   # stopping a stopped sandbox is fine

step "restart keeps the data, then destroy"
"$tool" start --dir "$dir"
n=$("$tool" sql master --dir "$dir" -- --batch --skip-column-names -e "SELECT COUNT(*) FROM voms_life.usr")
[[ $n == 50 ]] || fail "after restart voms_life.usr has $n rows"
"$tool" destroy --dir "$dir"
[[ -z $(server_pids) ]] || fail "mariadbd still running after destroy"
[[ ! -e $dir ]] || fail "$dir still exists after destroy"
echo "PASS"
