#!/usr/bin/env bash
# docs/voms-guide.md, section 6, "A VO database the replicas do not have yet", run as
# written (issue 21, item 7), on a sandbox of its own: master + 2 read-only replicas
# holding voms_otest, fed by `vomsrepl run`; voms_newvo exists on the master only
# (loaded outside the binlog). The section's SQL block creates the read account (host
# and password replaced by the sandbox's), its TOML line goes into [master] of the
# config, and every line of its sh blocks that starts with `vomsrepl ` runs in order
# (/etc/vomsrepl/vomsrepl.toml replaced by the test's config), each of which must exit
# 0; a VOMS workload writes to voms_newvo from the first bootstrap on. Then: both
# replicas equal to the master (CHECKSUM TABLE of every table of voms_newvo and
# voms_otest), progress rows at the master's GTID position.
#
# usage: guide_bootstrap_test.sh SANDBOX_TOOL VOMSREPL SANDBOX_DIR REPO
set -euo pipefail
sandbox="$1" vomsrepl="$2" dir="$3" repo="$4"
name=guide_bootstrap
guide="$repo/docs/voms-guide.md"
source "$(dirname "$0")/ops_lib.sh"

# The section, from its heading to the next one.
section=$(awk '/^### A VO database the replicas do not have yet/ {on = 1; next} on && /^##/ {exit} on' "$guide")
[ -n "$section" ] || fail "section 'A VO database the replicas do not have yet' not found in $guide"
block() {  # block LANG: the lines of the section's ```LANG blocks
  printf '%s\n' "$section" | awk -v lang="$1" '$0 == "```" lang {on = 1; next} on && $0 == "```" {on = 0} on'
}

ops_setup
ops_start_daemon
ops_workload 100 11
ops_converge
"$sandbox" load-voms --vo newvo --skip-binlog --dir "$dir" >/dev/null 2>&1 || fail "load-voms newvo"

# Step 1: the read account, with the guide's statements.
password=$(python3 -c 'import secrets, string; print("".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32)))')
sql_text=$(block sql | sed -e "s/feeder\.example\.org/127.0.0.1/g" -e "s/'\.\.\.'/'$password'/")
grep -q "GRANT SELECT" <<< "$sql_text" || fail "no GRANT SELECT in the guide's sql block"
printf '%s\n' "$sql_text" | sql master || fail "the guide's CREATE USER / GRANT failed"
master_port=$(sed -n "s/^VOMSREPL_MASTER_PORT='\{0,1\}\([0-9]*\)'\{0,1\}$/\1/p" "$dir/sandbox.env")
[ -n "$master_port" ] || fail "no VOMSREPL_MASTER_PORT in $dir/sandbox.env"
(umask 077; printf '[client]\nhost=127.0.0.1\nport=%s\nuser=vomsrepl_read\npassword=%s\n' "$master_port" "$password" > "$dir/master-read.cnf")
toml_line=$(block toml | grep '^read_defaults_file' | sed "s|/etc/vomsrepl/master-read.cnf|$dir/master-read.cnf|")
[ -n "$toml_line" ] || fail "no read_defaults_file line in the guide's toml block"
sed -i "s|^\[master\]$|[master]\n$toml_line|" "$dir/vomsrepl.toml"

# Steps 1-4: the guide's vomsrepl commands, in order.
mapfile -t commands < <(block sh | grep '^vomsrepl ')
[ "${#commands[@]}" -ge 8 ] || fail "expected at least 8 vomsrepl commands in the section, found ${#commands[@]}"
workload_pid=""
committing() { [ "$(sql master -e "SELECT @@gtid_binlog_pos")" != "$gtid_before" ]; }
bootstraps=0
for c in "${commands[@]}"; do
  c=${c//\/etc\/vomsrepl\/vomsrepl.toml/$dir/vomsrepl.toml}
  read -r -a words <<< "${c#vomsrepl }"
  if [ "${words[0]}" = bootstrap ] && [ -z "$workload_pid" ]; then
    # The VO's users write from now on; the first copy starts once they commit.
    gtid_before=$(sql master -e "SELECT @@gtid_binlog_pos")
    "$repo/tools/voms-workload" --vo newvo --transactions 2000 --seed 21 --dir "$dir" > "$dir/workload.log" 2>&1 &
    workload_pid=$!
    bg_pid=$workload_pid  # ops_cleanup stops it on failure
    await 60 "the workload's first commit" committing
  fi
  echo "$name: vomsrepl ${words[*]}"
  "$vomsrepl" "${words[@]}" > "$dir/step.out" 2>&1 || { cat "$dir/step.out"; fail "vomsrepl ${words[*]}: exit $?"; }
  case ${words[0]} in
    check-config) grep -q "^ok   master read account ($dir/master-read.cnf)" "$dir/step.out" ||
                    { cat "$dir/step.out"; fail "check-config did not check the read account"; } ;;
    bootstrap) bootstraps=$((bootstraps + 1)); sed -n 's/^\(bootstrap: .*progress set to journal seq [0-9]*\).*/\1/p' "$dir/step.out" ;;
    verify) for r in replica1 replica2; do  # voms_newvo's 35 tables, on each replica
              grep -q "^$r: 35 tables" "$dir/step.out" || { cat "$dir/step.out"; fail "verify did not compare voms_newvo on $r"; }
            done
            cat "$dir/step.out" ;;
  esac
done
[ "$bootstraps" -eq 2 ] || fail "the section bootstraps $bootstraps replicas, want 2"
kill -0 "$workload_pid" 2>/dev/null || echo "$name: warning: the workload ended before the commands did" >&2
wait "$workload_pid" || fail "workload failed"
bg_pid=""

# Every table of both databases equal on both replicas, at the master's position.
ops_converge 120
for db in voms_newvo voms_otest; do
  m=$(checksums master "$db")
  [ "$(echo "$m" | wc -l)" -ge 30 ] || fail "expected the VOMS schema in $db on the master"
  for r in replica1 replica2; do
    [ "$(checksums "$r" "$db")" = "$m" ] || fail "$r $db differs from the master"
  done
done
rows=$(sql master -e "SELECT COUNT(*) FROM voms_newvo.usr")
ops_stop_daemon
echo "$name: ok (the guide's ${#commands[@]} vomsrepl commands; voms_newvo.usr $rows rows; both replicas equal)"
