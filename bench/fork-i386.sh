#!/bin/sh
# Cost of a guest fork under bin/qemu-i386 and Debian's qemu-i386 (bench/src/forkbench.c: an
# 8 MiB heap touched, then N forks whose children exit at once, each waited for), and of a
# two-fork busybox pipeline. The guest prints its own per-fork time; QEMU_DEBUG=1 makes ours
# print the parts (snapshot write, spawn, child JVM start, restore) on stderr.
#   bench/fork-i386.sh [forks]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
forks=${1:-5}
work=$root/target/bench
mkdir -p "$work"
busybox=$root/target/fixtures/busybox-i386/bin/busybox
[ -x "$busybox" ] || "$root/scripts/install-deps.sh" >/dev/null
i686-linux-gnu-gcc -static -O2 "$here/src/forkbench.c" -o "$work/forkbench-i386"
for who in qemu-i386 "$root/bin/qemu-i386"; do
  printf '%s forkbench: ' "$who"
  /usr/bin/time -f '(%e s wall, %U s user, %S s sys, %M KiB)' "$who" "$work/forkbench-i386" "$forks" 2>&1 | tr '\n' ' '
  echo
  printf '%s busybox sh -c "echo b | cat": ' "$who"
  /usr/bin/time -f '(%e s wall, %U s user, %S s sys)' "$who" "$busybox" sh -c 'echo b | cat' 2>&1 | tr '\n' ' '
  echo
done
