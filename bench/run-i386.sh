#!/bin/sh
# i386 user-mode benchmark, all contenders in one run:
#   native   - the same C source built for x86-64 and run on this host (this host cannot run
#              i386 binaries natively: no compat mode under its PVM hypervisor);
#   qemu     - Debian's qemu-i386 (QEMU 7.2) running the i686 static build;
#   ours     - bin/qemu-i386 running the same i686 static build.
# Workloads: the CPU-bound program (x87 and SSE2 builds), busybox sha256sum of a 32 MiB file,
# busybox true (start-up). Wall time (median of $RUNS, default 3), user+sys CPU seconds of that
# median run (JIT compiler threads included: on a shared machine it is steadier than wall time) and
# peak RSS from GNU time. Prints a markdown table for docs/PERFORMANCE.md and the load average.
# QEMU_NO_AOT=1 and QEMU_JAVA_OPTS pass through to bin/qemu-i386 (e.g. -Dqemu.tcg.region-threshold=0
# to measure without the region tier).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

i686-linux-gnu-gcc -static -O2 "$here/src/cpubench.c" -o "$work/cpubench-x87" -lm
i686-linux-gnu-gcc -static -O2 -msse2 -mfpmath=sse "$here/src/cpubench.c" -o "$work/cpubench-sse2" -lm
gcc -O2 "$here/src/cpubench.c" -o "$work/cpubench-native" -lm
busybox32=$root/target/fixtures/busybox-i386/bin/busybox
[ -x "$busybox32" ] || "$root/scripts/install-deps.sh" >/dev/null
head -c 33554432 /dev/urandom > "$work/32MiB.bin"

ours=$root/bin/qemu-i386
expected=$("$work/cpubench-native")


row() {
  name=$1; check=$2; native_cmd=$3; guest=$4
  n=$(measure "$check" $native_cmd)
  q=$(measure "$check" qemu-i386 $guest)
  o=$(measure "$check" "$ours" $guest)
  table_row "$name" $n $q $o
}

sha=$(sha256sum "$work/32MiB.bin" | cut -d' ' -f1)
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| workload | native x86-64 | Debian qemu-i386 7.2 | ours | ours / QEMU (wall) | ours / QEMU (CPU) |"
echo "| --- | --- | --- | --- | --- | --- |"
row "cpubench (x87 build)" "$expected" "$work/cpubench-native" "$work/cpubench-x87"
row "cpubench (SSE2 build)" "$expected" "$work/cpubench-native" "$work/cpubench-sse2"
row "busybox sha256sum 32 MiB" "$sha  $work/32MiB.bin" "busybox sha256sum $work/32MiB.bin" "$busybox32 sha256sum $work/32MiB.bin"
row "busybox true (start-up)" "" "busybox true" "$busybox32 true"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
