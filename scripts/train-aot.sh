#!/bin/sh
# Trains the JDK 25 AOT cache (target/lib/qemu.aot) that bin/qemu-launcher uses when present.
# JDK 25 makes a cache from ONE training JVM and cannot merge two, while the launcher uses one
# cache for every emulator; so one JVM (org.qemu.ppc.launcher.AotTrainingRun) runs the i386
# emulator on Debian's i386 busybox, the x86_64 emulator on the host's amd64 busybox, and then,
# when the PowerPC cross compiler is here, the ppc
# emulator on bench/src/cpubench.c, and the cache holds the classes and linked call sites of all
# three (no method profiles or compile history: see below). Measured here: `qemu-i386 busybox true` 0.55 s without the cache,
# 0.34 s with it; for qemu-ppc see docs/PERFORMANCE.md.
set -eu
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
lib=$(pwd)/target/lib
busybox=$(pwd)/target/fixtures/busybox-i386/bin/busybox
[ -x "$busybox" ] || scripts/install-deps.sh >/dev/null
rm -f "$lib/qemu.aot"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "AOT training sample" > "$work/sample"
runs="org.qemu.i386.launcher.QemuI386 $busybox sha256sum $work/sample"
# The host's own amd64 busybox trains the long-mode paths of qemu-x86_64.
if [ -x /bin/busybox ]; then
  runs="$runs + org.qemu.x86_64.launcher.QemuX86_64 /bin/busybox sha256sum $work/sample"
fi
# A CPU-bound x86-64 program (bench/src/cpubench.c, scale 1: ~1 s) makes the translator and the
# block generator take the paths that hot code takes (SSE and x87 forms, loop blocks, traces with
# legs, page caches): each first use of one of their lambda or string-concatenation call sites
# spins classes through the JDK's class-file API at run time, on the guest's thread or the
# generator's, unless the cache holds the linked call site. Without gcc it is left out.
# A dynamically linked program (the host's python3, when there is one) takes the dynamic loader's
# paths and many more instruction forms than busybox: their first translations link lambda call
# sites (the SSE translator's forms) that would otherwise be spun at run time. Against the cache
# without it (10 ABBA pairs each): python3 -c pass -4.6%, sort -n of 20,000 lines -6%, ls -la
# -2.4%; busybox true and cpubench the same.
if [ -x /bin/busybox ] && [ -x /usr/bin/python3 ]; then
  runs="$runs + org.qemu.x86_64.launcher.QemuX86_64 /usr/bin/python3 -c pass"
fi
if [ -x /bin/busybox ] && command -v gcc >/dev/null 2>&1 \
    && gcc -static -O2 bench/src/cpubench.c -o "$work/cpubench-x86_64" -lm 2>/dev/null; then
  runs="$runs + org.qemu.x86_64.launcher.QemuX86_64 $work/cpubench-x86_64 1"
fi
if command -v powerpc-linux-gnu-gcc >/dev/null 2>&1 \
    && powerpc-linux-gnu-gcc -static -O2 bench/src/cpubench.c -o "$work/cpubench-ppc" -lm 2>/dev/null; then
  runs="$runs + org.qemu.ppc.launcher.QemuPpc $work/cpubench-ppc 1"
else
  echo "train-aot: no powerpc-linux-gnu-gcc: the cache is trained on the i386 emulator only" >&2
fi
# No training data in the cache (-AOTRecordTraining, JDK 25's diagnostic switch; classes and linked
# call sites only): replayed, the one-line training's compile history made the JIT compile what it
# compiled there at once, work a short run never pays back. Interleaved against the cache with it
# (load 5-9): busybox true 0.146 -> 0.131 s (25 pairs), C1 compiles 305-380 -> 172-272; sha256sum
# 32 MiB 0.548 -> 0.550 s (14 pairs, CPU 0.822 -> 0.809 s); qemu-x86_64 python3 -c pass 1.69 ->
# 1.53 s (5 pairs); qemu-ppc cpubench 1.75 -> 1.73 s (4 pairs). QEMU_AOT_TRAINING_DATA=1 keeps it.
training=
if [ -z "${QEMU_AOT_TRAINING_DATA:-}" ] \
    && "$JAVA_HOME/bin/java" -XX:+UnlockDiagnosticVMOptions -XX:-AOTRecordTraining -version >/dev/null 2>&1; then
  training="-XX:+UnlockDiagnosticVMOptions -XX:-AOTRecordTraining"
fi
# The launcher appends qemu-whitebox.jar to every emulator's boot class path and unlocks HotSpot's
# WhiteBox API for the x86 ones: so does the training, whose x86 runs then take the paths they take at
# run time (block classes made in the background, waiting for HotSpot's code) and archive their
# classes too; a run without the jar would refuse this cache. (A folder with white space gets
# neither, as in the launcher.)
whitebox=
case "$lib" in *[[:space:]]*) ;; *) whitebox="-Xbootclasspath/a:$lib/qemu-whitebox.jar -XX:+UnlockDiagnosticVMOptions -XX:+WhiteBoxAPI" ;; esac
# No fork in the training run: children would inherit the recording options.
# shellcheck disable=SC2086 # $runs, $training and $whitebox are word lists on purpose
"$JAVA_HOME/bin/java" -XX:AOTCacheOutput="$lib/qemu.aot" -Xlog:aot=error $training $whitebox -XX:+UseSerialGC -Xss16m \
  --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Dqemu.launcher="$(pwd)/bin/qemu-launcher" \
  -cp "$lib/*" org.qemu.ppc.launcher.AotTrainingRun $runs >/dev/null
echo "train-aot: $(du -h "$lib/qemu.aot" | cut -f1) AOT cache at $lib/qemu.aot"
