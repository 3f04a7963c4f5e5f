#!/bin/sh
# Where a short run's MAIN THREAD spends its time, by Java method, interpreted frames included
# (perf cannot name those): runs `qemu-i386 busybox true` (or the given command's arguments) N
# times under bench/src/MainThreadSampler.java with the same JVM options as bin/qemu-launcher and
# the tree's AOT cache (its class path gets the sampler's jar appended, which the cache allows),
# and prints the methods found on the main thread's stack, in samples per run (~1 ms each).
#   bench/startup-sampler.sh [runs] [emulator-main-class program args...]
# Retrain the AOT cache first (scripts/train-aot.sh) when the jars changed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
runs=${1:-10}
[ $# -gt 0 ] && shift
if [ $# -eq 0 ]; then
  set -- org.qemu.i386.launcher.QemuI386 "$root/target/fixtures/busybox-i386/bin/busybox" true
fi
main=$1; shift
lib=$root/target/lib
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$JAVA_HOME/bin/javac" -d "$work" "$here/src/MainThreadSampler.java"
"$JAVA_HOME/bin/jar" cf "$work/sampler.jar" -C "$work" .
i=0
while [ $i -lt "$runs" ]; do
  i=$((i + 1))
  "$JAVA_HOME/bin/java" -XX:AOTCache="$lib/qemu.aot" -Xbootclasspath/a:"$lib/qemu-whitebox.jar" \
    -XX:+UnlockDiagnosticVMOptions -XX:+WhiteBoxAPI -XX:+UseTransparentHugePages -XX:+UseSerialGC -Xss16m \
    --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -XX:CompileCommand=quiet \
    -XX:CompileCommand='CompileThresholdScaling,jdk.internal.classfile.impl.*::*,50.0' \
    -XX:CompileCommand='CompileThresholdScaling,java.lang.classfile.*::*,50.0' \
    -XX:CompileCommand='CompileThresholdScaling,jdk.internal.foreign.abi.*::*,50.0' \
    -XX:CompileCommand='CompileThresholdScaling,java.lang.invoke.*::*,50.0' \
    -cp "$lib/*:$work/sampler.jar" -Dsampler.main="$main" -Dsampler.out="$work/run.$i" \
    MainThreadSampler "$@" > /dev/null 2>&1 || true
done
cat "$work"/run.* 2>/dev/null | awk '
  $1 == "samples" { total += $2; runs++ }
  $1 == "I" { count[$3] += $2 }
  END {
    if (runs == 0) { print "no samples"; exit 1 }
    printf "%d runs, %.1f samples per run; methods on the main thread'"'"'s stack, samples per run:\n", runs, total / runs
    fflush()
    for (m in count) printf "%7.1f %s\n", count[m] / runs, m | "sort -k1,1 -rn -s | head -60"
  }'
