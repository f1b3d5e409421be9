#!/usr/bin/env bash
# Provision the extra Erlang/OTP releases the tests run against, beside the host's OTP 25:
# OTP 27 (Debian trixie) and OTP 29 (Debian forky), each a minimal debootstrap chroot holding
# Debian's erlang-nox. They need a newer libc than the host's, hence chroots rather than
# packages. Idempotent: a chroot that finished (marker file present) is left alone; a partial
# one is rebuilt. Needs root (debootstrap, chroot); without root it says so and does nothing.
#
#   interop/otp/provision.sh            # into $ERGO_TS_OTP_DIR (default /var/cache/ergo-ts/otp)
#
# The test harness (test/support/otp.ts) finds the chroots in the same directory.
set -euo pipefail

dir=${ERGO_TS_OTP_DIR:-/var/cache/ergo-ts/otp}
suites=${ERGO_TS_OTP_SUITES:-"trixie forky"}
marker=.ergo-ts-ready

if [ "$(id -u)" != 0 ]; then
  echo "otp: not root, cannot build chroots in $dir; tests run on the host's OTP only" >&2
  exit 0
fi

# The Debian mirror apt already uses on this machine (deb822 or one-line sources).
mirror=${ERGO_TS_DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
  mirror=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\)[[:space:]]*$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1 || true)
fi
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
  mirror=$(awk '$1=="deb" && $2 ~ /\/debian\/?$/ {print $2; exit}' /etc/apt/sources.list)
fi
mirror=${mirror:-http://deb.debian.org/debian}

need=()
for s in $suites; do [ -f "$dir/$s/$marker" ] || need+=("$s"); done
[ ${#need[@]} -eq 0 ] && exit 0

if ! command -v debootstrap >/dev/null 2>&1; then
  echo "otp: installing debootstrap"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

mkdir -p "$dir"
build() {
  local suite=$1 target=$dir/$1 script=
  # Older debootstrap releases have no script for suites newer than they are; sid's fits.
  [ -e "/usr/share/debootstrap/scripts/$suite" ] || script=/usr/share/debootstrap/scripts/sid
  rm -rf "$target"
  if ! debootstrap --variant=minbase --include=erlang-nox "$suite" "$target" "$mirror" $script \
      >"$dir/$suite.log" 2>&1; then
    echo "otp: debootstrap $suite failed; tail of $dir/$suite.log:" >&2
    tail -n 20 "$dir/$suite.log" >&2
    return 1
  fi
  # minbase has no /etc/hosts: without it `-sname` cannot resolve the host name.
  cp /etc/hosts "$target/etc/hosts"
  rm -f "$target"/var/cache/apt/archives/*.deb
  chroot "$target" erl -noshell -eval 'io:format("~s", [erlang:system_info(otp_release)]), halt().' \
    >"$target/$marker"
  echo "otp: $suite ready in $target (OTP $(cat "$target/$marker"))"
}

pids=()
for s in "${need[@]}"; do build "$s" & pids+=($!); done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
exit $rc
