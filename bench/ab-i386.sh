#!/bin/sh
# A/B of two builds of qemu-i386 on the benchmark workloads, interleaved in one run (the machine
# is shared: user+sys CPU seconds are steadier than wall time). Usage:
#   bench/ab-i386.sh BASELINE_ROOT [runs]     (BASELINE_ROOT: a checkout with bin/ and target/lib built)
# Prints, per workload and run, "wall cpu" of the baseline and of this checkout; QEMU_JAVA_OPTS
# passes through to both (QEMU_NO_AOT=1 is set: a stale AOT cache would hide the change).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
base=$1
runs=${2:-3}
work=$root/target/bench
mkdir -p "$work"
export QEMU_NO_AOT=1
[ -x "$work/cpubench-x87" ] || i686-linux-gnu-gcc -static -O2 "$here/src/cpubench.c" -o "$work/cpubench-x87" -lm
[ -x "$work/cpubench-sse2" ] || i686-linux-gnu-gcc -static -O2 -msse2 -mfpmath=sse "$here/src/cpubench.c" -o "$work/cpubench-sse2" -lm
[ -f "$work/32MiB.bin" ] || head -c 33554432 /dev/urandom > "$work/32MiB.bin"
busybox32=$root/target/fixtures/busybox-i386/bin/busybox

one() {
  /usr/bin/time -f '%e %U %S' -o "$work/ab-usage" "$@" > /dev/null 2>&1
  read -r e u s < "$work/ab-usage"
  printf '%s %.2f' "$e" "$(echo "$u + $s" | bc -l)"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for w in x87 sse2 sha256; do
  case $w in
    sha256) args="$busybox32 sha256sum $work/32MiB.bin" ;;
    *) args="$work/cpubench-$w" ;;
  esac
  i=0
  while [ $i -lt "$runs" ]; do
    b=$(one "$base/bin/qemu-i386" $args)
    o=$(one "$root/bin/qemu-i386" $args)
    echo "$w run $i: baseline $b | this $o"
    i=$((i + 1))
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
