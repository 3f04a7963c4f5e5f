#!/bin/sh
# On a fresh Debian 12 machine: installs what is needed, builds everything (jars, launchers, RPMs)
# and runs real guests: Debian's i386 busybox under qemu-i386, a PowerPC C program under qemu-ppc.
set -eu
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export PATH="$JAVA_HOME/bin:$PATH"
scripts/install-deps.sh
mvn -B -ntp -q package -DskipTests
scripts/train-aot.sh 2>/dev/null
echo "== launchers"
bin/qemu-i386 --version
bin/qemu-kvm -version
echo "== Debian's busybox for i386, translated to JVM bytecode"
bin/qemu-i386 target/fixtures/busybox-i386/bin/busybox sh -c 'echo "hello from $(uname -m) busybox"; seq 1 5 | sort -r | tr "\n" " "; echo'
echo "== a PowerPC program"
mkdir -p target/quickstart
printf '#include <stdio.h>\nint main(void){printf("hello from big-endian PowerPC: %%.3f\\n", 22.0/7);return 0;}\n' > target/quickstart/hello.c
powerpc-linux-gnu-gcc -static -O2 target/quickstart/hello.c -o target/quickstart/hello-ppc
bin/qemu-ppc target/quickstart/hello-ppc
echo "== packages in target/rpms"
ls target/rpms
