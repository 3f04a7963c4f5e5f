#!/bin/sh
# Interleaved A/B of two builds' bin/qemu-x86_64 on one workload: BASE (default /work/wt/base11)
# and this tree, ROUNDS times (which one runs first alternates), each run's wall and user+sys CPU
# seconds from GNU time, and the load average. This VM's speed swings within minutes, so only
# pairs run side by side compare.
# Usage: bench/ab-x86_64.sh ROUNDS command args...   (the guest command, e.g. /bin/busybox gzip -c f)
# The guest's stdout goes to a file whose md5 is printed per run (check it against native).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
base=${BASE:-/work/wt/base11}
rounds=$1; shift
out=${TMPDIR:-/tmp}/ab-x86_64.$$
for r in $(seq "$rounds"); do
  # ABBA: the second run of a pair of short runs is ~5% slower here whatever the build (session 25)
  if [ $((r % 2)) -eq 1 ]; then order="base ours"; else order="ours base"; fi
  for side in $order; do
    if [ $side = base ]; then q=$base/bin/qemu-x86_64; else q=$here/bin/qemu-x86_64; fi
    /usr/bin/time -f "%e %U %S" -o "$out.t" "$q" "$@" > "$out.o" 2>/dev/null || true
    read -r wall user sys < "$out.t"
    cpu=$(echo "$user + $sys" | bc)
    echo "$side round $r: wall $wall s, cpu $cpu s, md5 $(md5sum < "$out.o" | cut -c1-8), load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
rm -f "$out.t" "$out.o"
