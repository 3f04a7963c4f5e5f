#!/bin/sh
# Installs what building and testing need on a Debian 12 machine (idempotent; apt only when something is missing)
# and checks for the JDK 25 the project is built with.
set -eu

# A mirror in mid-sync fails one index ("File has unexpected size"): try again, then go on with
# the indexes that did arrive (the install below fails clearly if a package is really missing).
apt_update() {
  for attempt in 1 2 3; do
    apt-get update -q >/dev/null && return 0
    echo "install-deps: apt-get update failed (attempt $attempt), retrying" >&2
    sleep $((attempt * 5))
  done
  echo "install-deps: apt-get update still failing; using the indexes it got" >&2
}

JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
if [ ! -x "$JAVA_HOME/bin/javac" ] || ! grep -q '^JAVA_VERSION="2[5-9]' "$JAVA_HOME/release" 2>/dev/null; then
  echo "install-deps: a JDK 25 is required at \$JAVA_HOME ($JAVA_HOME); set JAVA_HOME to one" >&2
  exit 1
fi

packages="maven file binutils bc time rpm dnf createrepo-c rpmlint gcc gcc-i686-linux-gnu gcc-powerpc-linux-gnu binutils-powerpc-linux-gnu
  libc6-dev-i386-cross libc6-dev-powerpc-cross
  busybox-static qemu-user qemu-system-x86 linux-libc-dev cpio hyperfine gdb gdb-multiarch python3"
missing=
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if ! dpkg --print-foreign-architectures | grep -qx i386; then
  dpkg --add-architecture i386
  missing="$missing"
  need_update=1
fi
if [ -n "$missing" ] || [ -n "${need_update:-}" ]; then
  echo "install-deps: installing$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt_update
  if [ -n "$missing" ]; then
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $missing >/dev/null
  fi
fi

# Debian's i386 busybox: a real program nobody here wrote, run by the i386 tests.
fixtures=${QEMU_FIXTURES:-$(cd "$(dirname "$0")/.." && pwd)/target/fixtures}
if [ ! -x "$fixtures/busybox-i386/bin/busybox" ]; then
  mkdir -p "$fixtures/download" && cd "$fixtures/download"
  apt-get download busybox-static:i386 >/dev/null 2>&1 || { apt_update; apt-get download busybox-static:i386 >/dev/null; }
  dpkg -x busybox-static_*_i386.deb "$fixtures/busybox-i386"
fi
echo "install-deps: ok (JDK at $JAVA_HOME)"
