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
root=$(cd "$here/.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
work=$root/target/bench
mkdir -p "$work"
runs=${RUNS:-3}

i686-linux-gnu-gcc -static -O2 "$here/src/cpubench.c" -o "$work/cpubench-x87" -lm
i686-linux-gnu-gcc -static -O2 -msse2 -mfpmath=sse "$here/src/cpubench.c" -o "$work/cpubench-sse2" -lm
gcc -O2 "$here/src/cpubench.c" -o "$work/cpubench-native" -lm
busybox32=$root/target/fixtures/busybox-i386/bin/busybox
[ -x "$busybox32" ] || "$root/scripts/install-deps.sh" >/dev/null
head -c 33554432 /dev/urandom > "$work/32MiB.bin"

ours=$root/bin/qemu-i386
expected=$("$work/cpubench-native")

# "wall cpu rss": median wall seconds of $runs, the user+sys CPU seconds of that run, peak RSS in
# MiB; "n/a" when it fails, "wrong" when its output disagrees.
measure() {
  check=$1; shift
  results=""
  rss=0
  i=0
  while [ $i -lt "$runs" ]; do
    start=$(date +%s.%N)
    if ! out=$(/usr/bin/time -f '%M %U %S' -o "$work/usage" "$@" 2>/dev/null); then echo "n/a n/a n/a"; return; fi
    end=$(date +%s.%N)
    if [ -n "$check" ] && [ "$out" != "$check" ]; then echo "wrong n/a n/a"; return; fi
    read -r r u sy < "$work/usage"
    t=$(echo "$end - $start" | bc -l)
    cpu=$(echo "$u + $sy" | bc -l)
    results="$results $t:$cpu"
    [ "$r" -gt "$rss" ] && rss=$r
    i=$((i + 1))
  done
  med=$(printf '%s\n' $results | sort -t: -k1 -n | sed -n "$(( (runs + 1) / 2 ))p")
  printf '%.3f %.2f %d\n' "${med%%:*}" "${med##*:}" $((rss / 1024))
}

row() {
  name=$1; check=$2; native_cmd=$3; guest=$4
  n=$(measure "$check" $native_cmd)
  q=$(measure "$check" qemu-i386 $guest)
  o=$(measure "$check" "$ours" $guest)
  set -- $n $q $o
  ratio=n/a
  cpu_ratio=n/a
  case "$4$7" in *n/a*|*wrong*) ;; *)
    ratio=$(printf '%.2f' "$(echo "$7 / $4" | bc -l)")
    cpu_ratio=$(printf '%.2f' "$(echo "$8 / $5" | bc -l)") ;;
  esac
  echo "| $name | $1 s ($2 s CPU, $3 MiB) | $4 s ($5 s CPU, $6 MiB) | $7 s ($8 s CPU, $9 MiB) | $ratio | $cpu_ratio |"
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
