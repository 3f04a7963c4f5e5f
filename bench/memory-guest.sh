#!/bin/sh
# Guest-memory-bound program (bench/src/memsieve.c: a byte sieve and a word prefix sum) under
# bin/qemu-i386 / bin/qemu-ppc and Debian's QEMU, same build, same run; user+sys CPU seconds
# and wall time. The per-access cost alone: bench/memory-access-bench.java.
#   bench/memory-guest.sh [rounds]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
rounds=${1:-4}
work=$root/target/bench
mkdir -p "$work"
i686-linux-gnu-gcc -static -O2 "$here/src/memsieve.c" -o "$work/memsieve-i386"
powerpc-linux-gnu-gcc -static -O2 "$here/src/memsieve.c" -o "$work/memsieve-ppc"
for target in i386 ppc; do
  expected=$(qemu-$target "$work/memsieve-$target" "$rounds")
  for who in qemu-$target "$root/bin/qemu-$target"; do
    out=$(/usr/bin/time -f '%e %U %S %M' -o "$work/one" "$who" "$work/memsieve-$target" "$rounds")
    [ "$out" = "$expected" ] || { echo "$who: wrong output: $out" >&2; exit 1; }
    set -- $(cat "$work/one")
    printf '%s memsieve %s: %s s wall, %s s user+sys, %d MiB\n' "$who" "$rounds" "$1" \
      "$(echo "$2 + $3" | bc -l)" $(($4 / 1024))
  done
done
