#!/bin/sh
# x86-64 user-mode benchmark, all contenders in one run, each running the very same binary:
#   native   - the program run directly on this x86-64 host;
#   qemu     - Debian's qemu-x86_64 (QEMU 7.2);
#   ours     - bin/qemu-x86_64.
# Workloads: the CPU-bound program (static x86-64 build: SSE2 doubles, as the x86-64 ABI
# computes), busybox sha256sum and gzip of a 32 MiB file (random bytes), busybox true and python3 -c pass
# (start-up). Wall time (median of $RUNS, default 3; the three contenders run in turn, round after
# round, so their medians come from the same minutes), user+sys CPU seconds of that median run
# (JIT compiler threads included: on a shared machine it is steadier than wall time) and peak
# RSS from GNU time. Prints a markdown table for docs/PERFORMANCE.md and the load average.
# QEMU_NO_AOT=1 and QEMU_JAVA_OPTS pass through to bin/qemu-x86_64.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

gcc -static -O2 "$here/src/cpubench.c" -o "$work/cpubench-x86_64" -lm
gcc -nostdlib -static "$here/src/chain-branches.S" -o "$work/chain-branches"
# LZMA decoding (the algorithm of the Linux kernel's decompressor: busybox unxz is xz-embedded):
# 32 MiB of the host's shared libraries, compressed once
if [ ! -s "$work/libs.xz" ]; then
  find /usr/lib/x86_64-linux-gnu -maxdepth 1 -name '*.so*' -type f | sort | xargs cat 2>/dev/null | head -c 33554432 \
    | xz -6 -T2 --check=crc32 > "$work/libs.xz"
fi
unxz_sum=$(/bin/busybox unxz -c < "$work/libs.xz" | sha256sum | cut -d' ' -f1)
chain_sum=$("$work/chain-branches" 100000000 32)
busybox=/bin/busybox
head -c 33554432 /dev/urandom > "$work/32MiB.bin"

ours=$root/bin/qemu-x86_64
expected=$("$work/cpubench-x86_64")


row() {
  name=$1; check=$2; shift 2
  # shellcheck disable=SC2046 # the nine fields, split on purpose
  table_row "$name" $(measure_interleaved "$check" "$ours" "$@")
}

sha=$(sha256sum "$work/32MiB.bin" | cut -d' ' -f1)
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| workload | native x86-64 | Debian qemu-x86_64 7.2 | ours | ours / QEMU (wall) | ours / QEMU (CPU) |"
echo "| --- | --- | --- | --- | --- | --- |"
row "cpubench (static, SSE2)" "$expected" "$work/cpubench-x86_64"
row "busybox sha256sum 32 MiB" "$sha  $work/32MiB.bin" $busybox sha256sum "$work/32MiB.bin"
# gzip writes 32MiB.bin.gz (-k keeps the input, -f overwrites): no pipe, so no second process.
row "busybox gzip 32 MiB" "" $busybox gzip -f -k "$work/32MiB.bin"
row "busybox unxz 32 MiB (LZMA)" "" $busybox unxz -f -k "$work/libs.xz"
[ "$(sha256sum < "$work/libs" | cut -d' ' -f1)" = "$unxz_sum" ] || echo "unxz under emulation wrote a different file"
row "chain-branches 100 M (5 blocks, 2 random branches)" "$chain_sum" "$work/chain-branches" 100000000 32
row "busybox true (start-up)" "" $busybox true
row "python3 -c pass (start-up, dynamic)" "" /usr/bin/python3 -c pass
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
