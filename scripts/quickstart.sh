#!/bin/sh
# On a fresh Debian 12 machine: installs what is needed, builds everything (jars, launchers, RPMs)
# and runs something real.
set -eu
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export PATH="$JAVA_HOME/bin:$PATH"
scripts/install-deps.sh
mvn -B -ntp -q package -DskipTests
echo "== launchers"
bin/qemu-i386 --version
bin/qemu-kvm -version
echo "== packages in target/rpms"
ls target/rpms 2>/dev/null || echo "(no RPMs built)"
