#!/bin/sh
# x86 translator micro benchmark: one integer hash loop (bench/x86-loop.c, 30 M iterations),
# built static for i686 and natively, timed natively, under Debian's qemu-i386 and on our
# translator (through the test-only MiniLinux fixture, until the qemu-i386 launcher runs programs).
# Prints wall times and the translator's per-block translation and compile costs.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
work=${TMPDIR:-/tmp}/x86-bench.$$
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
i686-linux-gnu-gcc -static -O2 -o "$work/loop32" "$root/bench/x86-loop.c"
gcc -O2 -o "$work/loop64" "$root/bench/x86-loop.c"
echo "native x86-64:"; /usr/bin/time -f "  %e s" "$work/loop64"
echo "Debian qemu-i386:"; /usr/bin/time -f "  %e s" qemu-i386 "$work/loop32"
echo "ours (3 runs in one JVM; the first includes JVM warm-up):"
cd "$root"
BENCH_X86="$work/loop32" mvn -B -q -pl qemu-i386 -am verify -Dsurefire.failIfNoSpecifiedTests=false \
    -Dtest=TranslatorBenchmark 2>/dev/null | grep -A1 '^BENCH' || true
