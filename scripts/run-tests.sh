#!/bin/sh
# Runs every test: unit tests of each module and the end-to-end tests in tests/
# (launchers, guests, KVM payloads, RPM packages with real rpm/dnf/createrepo_c/rpmlint).
set -eu
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export PATH="$JAVA_HOME/bin:$PATH"
scripts/install-deps.sh
# Debian's busybox for i386, fetched by install-deps: the i386 tests run it under our emulator.
export QEMU_TEST_BUSYBOX_I386="$(pwd)/target/fixtures/busybox-i386/bin/busybox"
exec mvn -B -ntp verify "$@"
