#!/bin/sh
# PowerPC (32-bit big-endian) user-mode benchmark, all contenders in one run:
#   native   - the same C source built for x86-64 and run on this host;
#   qemu     - Debian's qemu-ppc (QEMU 7.2) running the powerpc static build;
#   ours     - bin/qemu-ppc running the same powerpc static build.
# Workloads: the CPU-bound program (bench/src/cpubench.c) and a static hello world (start-up).
# Median wall time of $RUNS runs, user+sys CPU seconds of that median run, peak RSS from GNU
# time, and the output checked against the native run. On a machine shared with other work the
# CPU ratio is the steadier one (our JIT compiler threads run beside the guest on a free core,
# and compete with it on a busy one). Prints a markdown table for
# docs/PERFORMANCE.md.
#
# glibc's static libm executes mffscrn/mffscrni (ISA 3.0), counting on older cores to decode
# them as mffs; QEMU 7.2 raises SIGILL there instead, so the built binary gets those words
# rewritten to plain mffs (src/mffs-fallback-ppc.py), which is what a pre-3.0 core executes.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

powerpc-linux-gnu-gcc -static -O2 "$here/src/cpubench.c" -o "$work/cpubench-ppc" -lm
python3 "$here/src/mffs-fallback-ppc.py" "$work/cpubench-ppc"
gcc -O2 "$here/src/cpubench.c" -o "$work/cpubench-native" -lm
powerpc-linux-gnu-gcc -static -O2 "$here/src/hello-ppc.c" -o "$work/hello-ppc"
gcc -O2 "$here/src/hello-ppc.c" -o "$work/hello-native"

ours=$root/bin/qemu-ppc
expected=$("$work/cpubench-native")


row() {
  name=$1; check=$2; native=$3; guest=$4
  n=$(measure "$check" $native)
  q=$(measure "$check" qemu-ppc $guest)
  o=$(measure "$check" "$ours" $guest)
  table_row "$name" $n $q $o
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| workload | native x86-64 | Debian qemu-ppc 7.2 | ours | ours / QEMU (wall) | ours / QEMU (CPU) |"
echo "| --- | --- | --- | --- | --- | --- |"
row "cpubench" "$expected" "$work/cpubench-native" "$work/cpubench-ppc"
row "static hello (start-up)" "hello" "$work/hello-native" "$work/hello-ppc"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
