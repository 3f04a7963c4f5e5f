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
root=$(cd "$here/.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
work=$root/target/bench
mkdir -p "$work"
runs=${RUNS:-3}

powerpc-linux-gnu-gcc -static -O2 "$here/src/cpubench.c" -o "$work/cpubench-ppc" -lm
python3 "$here/src/mffs-fallback-ppc.py" "$work/cpubench-ppc"
gcc -O2 "$here/src/cpubench.c" -o "$work/cpubench-native" -lm
powerpc-linux-gnu-gcc -static -O2 "$here/src/hello-ppc.c" -o "$work/hello-ppc"
gcc -O2 "$here/src/hello-ppc.c" -o "$work/hello-native"

ours=$root/bin/qemu-ppc
expected=$("$work/cpubench-native")

# "wall user+sys rss": median wall seconds of $runs runs, the CPU seconds of that run, peak RSS
# in MiB; "n/a" when the command fails, "wrong" when its output differs from the native one.
measure() {
  check=$1; shift
  : > "$work/times"
  rss=0
  i=0
  while [ $i -lt "$runs" ]; do
    start=$(date +%s.%N)
    if ! out=$(/usr/bin/time -f '%U %S %M' -o "$work/rss" "$@" 2>/dev/null); then echo "n/a n/a n/a"; return; fi
    end=$(date +%s.%N)
    if [ "$out" != "$check" ]; then echo "wrong n/a n/a"; return; fi
    read -r user sys r < "$work/rss"
    echo "$(echo "$end - $start" | bc -l) $(echo "$user + $sys" | bc -l)" >> "$work/times"
    [ "$r" -gt "$rss" ] && rss=$r
    i=$((i + 1))
  done
  med=$(sort -n "$work/times" | sed -n "$(( (runs + 1) / 2 ))p")
  set -- $med
  printf '%.3f %.2f %d\n' "$1" "$2" $((rss / 1024))
}

row() {
  name=$1; check=$2; native=$3; guest=$4
  n=$(measure "$check" $native)
  q=$(measure "$check" qemu-ppc $guest)
  o=$(measure "$check" "$ours" $guest)
  set -- $n $q $o
  ratio=n/a
  cpu=n/a
  case "$4$7" in *n/a*|*wrong*) ;; *) ratio=$(printf '%.2f' "$(echo "$7 / $4" | bc -l)") ;; esac
  case "$5$8" in *n/a*|*wrong*) ;; *) cpu=$(printf '%.2f' "$(echo "$8 / $5" | bc -l)") ;; esac
  echo "| $name | $1 s ($2 s CPU, $3 MiB) | $4 s ($5 s CPU, $6 MiB) | $7 s ($8 s CPU, $9 MiB) | $ratio | $cpu |"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| workload | native x86-64 | Debian qemu-ppc 7.2 | ours | ours / QEMU (wall) | ours / QEMU (CPU) |"
echo "| --- | --- | --- | --- | --- | --- |"
row "cpubench" "$expected" "$work/cpubench-native" "$work/cpubench-ppc"
row "static hello (start-up)" "hello" "$work/hello-native" "$work/hello-ppc"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
