#!/bin/sh
# kvm-bench: our qemu-kvm against Debian's qemu-system-x86_64 -accel kvm on the same payloads.
#   1. wall time from launch to guest reset (hello payload, -no-reboot)
#   2. port-I/O exits per second (iobench payload: COUNT writes to port 0x80, each one a
#      userspace exit in both VMMs), from the time difference to the hello run
#   3. the VMM's own memory: RSS minus the RSS of the guest RAM mapping, sampled mid-run
# Needs a working /dev/kvm; without it, it says so and exits 2 (no numbers are invented).
# Usage: bench/kvm-bench.sh [runs] [count]     (defaults: 5 runs, 2000000 port writes)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
count=${2:-2000000}
ram_mb=64
ours="$here/bin/qemu-kvm"
theirs=${DEBIAN_QEMU:-qemu-system-x86_64}
# Debian's QEMU 7.2 aborts with -cpu host (and max) on a kvm-pvm host ("failed to set MSR 0x10a",
# IA32_ARCH_CAPABILITIES): its default model runs there.
their_cpu=${DEBIAN_CPU:-qemu64}

if [ ! -e /dev/kvm ]; then
  echo "kvm-bench: /dev/kvm does not exist on this machine; KVM numbers cannot be measured here" >&2
  exit 2
fi
if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
  echo "kvm-bench: /dev/kvm is not readable and writable by $(id -un)" >&2
  exit 2
fi
for tool in i686-linux-gnu-gcc "$theirs"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "kvm-bench: $tool is not installed" >&2; exit 2; }
done
[ -d "$here/target/lib" ] || { echo "kvm-bench: build first (mvn -B -q package -DskipTests)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
src="$here/tests/src/test/payloads"
for p in hello iobench; do
  i686-linux-gnu-gcc -O2 -ffreestanding -fno-pic -no-pie -nostdlib -static -fno-stack-protector -mno-sse \
    -Wl,-T,"$src/payload.ld" -Wl,--build-id=none -Wl,-z,max-page-size=0x1000 -Wl,--no-warn-rwx-segments \
    -Wl,-z,noexecstack -o "$work/$p.elf" "$src/boot.S" "$src/lib.c" "$src/$p.c"
done

now_ns() { date +%s%N; }

# Median of the runs' wall times, in ms, for: vmm payload extra-args...
median_ms() {
  vmm=$1; payload=$2; shift 2
  i=0
  : > "$work/times"
  while [ "$i" -lt "$runs" ]; do
    start=$(now_ns)
    if [ "$vmm" = ours ]; then
      "$ours" -accel kvm -cpu host -nographic -no-reboot -m $ram_mb -kernel "$work/$payload.elf" "$@" > "$work/out" 2>&1 < /dev/null
    else
      "$theirs" -accel kvm -cpu "$their_cpu" -net none -nographic -no-reboot -m $ram_mb -kernel "$work/$payload.elf" "$@" > "$work/out" 2>&1 < /dev/null
    fi
    end=$(now_ns)
    grep -q "resetting\|port writes done" "$work/out" || { echo "kvm-bench: $vmm $payload failed:" >&2; cat "$work/out" >&2; exit 1; }
    echo $(( (end - start) / 1000000 )) >> "$work/times"
    i=$((i + 1))
  done
  sort -n "$work/times" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# RSS of the process minus the RSS of its guest-RAM-sized mapping(s), in KiB, sampled 0.5 s in.
vmm_memory_kb() {
  vmm=$1
  if [ "$vmm" = ours ]; then
    "$ours" -accel kvm -cpu host -nographic -no-reboot -m $ram_mb -kernel "$work/iobench.elf" -append "count=$((count * 10))" > /dev/null 2>&1 < /dev/null &
  else
    "$theirs" -accel kvm -cpu "$their_cpu" -net none -nographic -no-reboot -m $ram_mb -kernel "$work/iobench.elf" -append "count=$((count * 10))" > /dev/null 2>&1 < /dev/null &
  fi
  pid=$!
  sleep 0.5
  kb=$(awk -v ram=$((ram_mb * 1024)) '
    /^[0-9a-f]+-[0-9a-f]+ / { inram = 0 }
    /^Size:/ { inram = ($2 >= ram && $2 <= ram + 4096) }
    /^Rss:/ { total += $2; if (inram) guest += $2 }
    END { print total - guest }' "/proc/$pid/smaps" 2>/dev/null || echo "?")
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "$kb"
}

printf '%-34s %14s %14s\n' "" "our qemu-kvm" "Debian QEMU"
ours_hello=$(median_ms ours hello)
their_hello=$(median_ms theirs hello)
printf '%-34s %11s ms %11s ms\n' "launch to reset (hello, median)" "$ours_hello" "$their_hello"
ours_io=$(median_ms ours iobench -append "count=$count")
their_io=$(median_ms theirs iobench -append "count=$count")
rate() { awk -v n="$count" -v a="$1" -v b="$2" 'BEGIN { d = (a - b) / 1000; if (d <= 0) print "?"; else printf "%.0f", n / d }'; }
printf '%-34s %14s %14s\n' "port-I/O exits per second" "$(rate "$ours_io" "$ours_hello")" "$(rate "$their_io" "$their_hello")"
printf '%-34s %11s KiB %10s KiB\n' "VMM memory (RSS minus guest RAM)" "$(vmm_memory_kb ours)" "$(vmm_memory_kb theirs)"
echo "(runs=$runs, count=$count port writes, -m ${ram_mb}M, $(nproc) CPUs, $(uname -r))"
