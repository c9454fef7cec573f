# Helpers for tests that check vomsrepl's refusals (sourced by access_test.sh and
# tls/tls_test.sh). The caller defines `fail MESSAGE` and the directory $out; $name, when
# set, prefixes what one_error prints.

# expect_exit RC CASE CMD...: runs CMD, output in $out/CASE.{out,err}; its exit code must be RC.
expect_exit() {
  local want=$1 case_name=$2 rc=0
  shift 2
  "$@" > "$out/$case_name.out" 2> "$out/$case_name.err" || rc=$?
  [ "$rc" -eq "$want" ] || { cat "$out/$case_name.out" "$out/$case_name.err" >&2; fail "$case_name: exit $rc, expected $want"; }
}

# one_error CASE PATTERN...: exactly one error line ("vomsrepl: Code: message") on stderr,
# matching every PATTERN (fixed strings). Prints it.
one_error() {
  local case_name=$1 line p
  shift
  [ "$(grep -c '^vomsrepl: ' "$out/$case_name.err")" -eq 1 ] ||
    { cat "$out/$case_name.err" >&2; fail "$case_name: expected exactly one error line"; }
  line=$(grep '^vomsrepl: ' "$out/$case_name.err")
  for p in "$@"; do
    grep -qF -- "$p" <<<"$line" || fail "$case_name: error line lacks '$p': $line"
  done
  echo "${name:+$name: }$case_name: $line" | cut -c1-400
}
