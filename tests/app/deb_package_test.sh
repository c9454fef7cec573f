#!/usr/bin/env bash
# The Debian package (issue 21): `cpack -G DEB` in the build tree, then the package's
# control data (dependencies from dpkg-shlibdeps, conffiles, maintainer scripts), its
# files unpacked into a scratch root (`dpkg-deb -x`), the unpacked binary run
# (`vomsrepl version`), the generated unit's paths, and `systemd-analyze verify` on it
# (the host's systemd units around it)
# when systemd-analyze is there (skipped with a message otherwise). The maintainer
# scripts are not run: they create a system user on the machine that runs them.
#
# usage: deb_package_test.sh BUILD_DIR SCRATCH_DIR
set -euo pipefail
build=$1 scratch=$2
fail() { echo "deb_package: FAIL: $*" >&2; exit 1; }
rm -rf "$scratch"
mkdir -p "$scratch/pkg" "$scratch/root"
(cd "$build" && cpack -G DEB -B "$scratch/pkg") > "$scratch/cpack.log" 2>&1 || { cat "$scratch/cpack.log"; fail "cpack -G DEB"; }
debs=("$scratch"/pkg/vomsrepl_*.deb)
[ "${#debs[@]}" = 1 ] && [ -f "${debs[0]}" ] || fail "cpack made no single vomsrepl_*.deb: ${debs[*]}"
deb=${debs[0]}
echo "deb_package: $(basename "$deb"), $(stat -c %s "$deb") bytes"

dpkg-deb -f "$deb" Package Version Architecture Depends > "$scratch/control.txt"
grep -q '^Package: vomsrepl$' "$scratch/control.txt" || fail "Package: $(cat "$scratch/control.txt")"
grep -q '^Depends: .*adduser' "$scratch/control.txt" || fail "Depends lacks adduser: $(cat "$scratch/control.txt")"
grep -q '^Depends: .*libmariadb3' "$scratch/control.txt" || fail "Depends lacks the shared libraries (dpkg-shlibdeps): $(cat "$scratch/control.txt")"
mkdir -p "$scratch/control"
dpkg-deb -e "$deb" "$scratch/control"
[ "$(cat "$scratch/control/conffiles")" = /etc/vomsrepl/vomsrepl.toml ] ||
  fail "conffiles: '$(cat "$scratch/control/conffiles" 2>/dev/null)'"
for s in postinst prerm postrm; do
  [ -x "$scratch/control/$s" ] || fail "maintainer script $s missing or not executable"
  sh -n "$scratch/control/$s" || fail "$s: syntax"
done
grep -q 'adduser --system' "$scratch/control/postinst" || fail "postinst does not create the system user"

dpkg-deb -x "$deb" "$scratch/root"
root=$scratch/root
unit=""
for u in "$root/usr/lib/systemd/system/vomsrepl.service" "$root/lib/systemd/system/vomsrepl.service"; do
  [ -f "$u" ] && unit=$u
done
[ -n "$unit" ] || fail "no vomsrepl.service in the package: $(cd "$root" && find . -type f | sort)"
for f in usr/bin/vomsrepl etc/vomsrepl/vomsrepl.toml usr/share/doc/vomsrepl/README.md \
         usr/share/doc/vomsrepl/examples/prometheus-alerts.yml; do
  [ -f "$root/$f" ] || fail "not in the package: /$f"
done
[ "$(stat -c %a "$root/etc/vomsrepl/vomsrepl.toml")" = 640 ] || fail "vomsrepl.toml mode $(stat -c %a "$root/etc/vomsrepl/vomsrepl.toml")"
if find "$root" -path '*benchmark-runs*' -o -name '*.tsv' | grep -q .; then fail "raw run files in the package"; fi
grep -q '^ExecStart=/usr/bin/vomsrepl run --config /etc/vomsrepl/vomsrepl.toml$' "$unit" || fail "unit ExecStart: $(grep ExecStart "$unit")"
grep -q '^ExecStartPre=/usr/bin/vomsrepl check-config --unreachable-ok --config /etc/vomsrepl/vomsrepl.toml$' "$unit" ||
  fail "unit ExecStartPre: $(grep ExecStartPre "$unit")"
version=$("$root/usr/bin/vomsrepl" version) || fail "the packaged vomsrepl does not run"
[[ $version =~ ^vomsrepl\ [0-9]+\.[0-9]+\.[0-9]+ ]] || fail "vomsrepl version: '$version'"
echo "deb_package: packaged binary: $version"

if command -v systemd-analyze >/dev/null 2>&1; then
  # The unit as packaged, its binary path pointed at the unpacked binary (systemd-analyze
  # checks that every Exec* command exists; the paths themselves are checked above).
  mkdir -p "$scratch/verify"
  sed "s#/usr/bin/vomsrepl#$root/usr/bin/vomsrepl#g" "$unit" > "$scratch/verify/vomsrepl.service"
  systemd-analyze verify "$scratch/verify/vomsrepl.service" > "$scratch/verify.txt" 2>&1 ||
    { cat "$scratch/verify.txt"; fail "systemd-analyze verify"; }
  if grep -v '^$' "$scratch/verify.txt" | grep -q .; then cat "$scratch/verify.txt"; fail "systemd-analyze verify printed warnings"; fi
  echo "deb_package: systemd-analyze verify: clean"
else
  echo "deb_package: SKIP systemd-analyze verify: systemd-analyze is not installed"
fi
rm -rf "$scratch"
echo "deb_package: PASS"
