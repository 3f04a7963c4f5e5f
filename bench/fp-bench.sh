#!/bin/sh
# Floating-point micro-benchmarks (bench/fp-kernels.c) under Debian's qemu-i386 and ours, in
# the same run: wall and user+sys CPU seconds of each, and the checksums must agree.
# Usage: bench/fp-bench.sh [millions]   (QEMU_NO_AOT=1 is set: timing freshly built jars)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export QEMU_NO_AOT=1
work=$root/target/bench
mkdir -p "$work"
m=${1:-2}
i686-linux-gnu-gcc -static -O2 "$here/fp-kernels.c" -o "$work/fpk-x87" -lm
i686-linux-gnu-gcc -static -O2 -msse2 -mfpmath=sse "$here/fp-kernels.c" -o "$work/fpk-sse2" -lm

# prints "wall cpu" for one command, and leaves its output in $work/fp-out
timed() {
  /usr/bin/time -f '%e %U %S' -o "$work/fp-time" "$@" > "$work/fp-out"
  awk '{ printf "%.2f s / %.2f s", $1, $2 + $3 }' "$work/fp-time"
}

echo "| kernel | build | Debian qemu-i386 (wall / CPU) | ours (wall / CPU) | same result |"
echo "| --- | --- | --- | --- | --- |"
for spec in x87:x87 sse2:sse2 nbody:x87 nbody:sse2 series:x87 series:sse2; do
  kernel=${spec%%:*}; build=${spec##*:}
  q=$(timed qemu-i386 "$work/fpk-$build" "$kernel" "$m"); qout=$(cat "$work/fp-out")
  o=$(timed "$root/bin/qemu-i386" "$work/fpk-$build" "$kernel" "$m"); oout=$(cat "$work/fp-out")
  same=no; [ "$qout" = "$oout" ] && same=yes
  echo "| $kernel | $build | $q | $o | $same |"
done
