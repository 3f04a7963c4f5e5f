#!/bin/sh
# kvm-bench: our qemu-kvm against Debian's qemu-system-x86_64 -accel kvm on the same payloads.
#   1. wall time from launch to guest reset (hello payload, -no-reboot)
#   2. port-I/O exits per second (iobench payload: COUNT writes to port 0x80, each one a
#      userspace exit in both VMMs), timed between the loop's two serial lines; and the same
#      loop on port 0x61, which our in-kernel PIT serves (the kernel's own exit cost)
#   3. the VMM's own memory: RSS minus the RSS of the guest RAM mapping, sampled mid-run
# Needs a working /dev/kvm; without it, it says so and exits 2 (no numbers are invented).
# Usage: bench/kvm-bench.sh [runs] [count]     (defaults: 5 runs, 500000 port writes)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
count=${2:-500000}
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

# Exits per second of the iobench loop alone, median of the runs: the host timestamps the
# payload's "iobench: start" and "... done" lines as they arrive on the VMM's stdout, so neither
# start-up nor (for Debian's QEMU) the ~6-20 s of SeaBIOS under kvm-pvm is counted.
loop_rate() {
  vmm=$1; shift
  if [ "$vmm" = ours ]; then
    set -- "$ours" -accel kvm -cpu host -nographic -no-reboot -m $ram_mb -kernel "$work/iobench.elf" "$@"
  else
    set -- "$theirs" -accel kvm -cpu "$their_cpu" -net none -nographic -no-reboot -m $ram_mb -kernel "$work/iobench.elf" "$@"
  fi
  python3 - "$runs" "$count" "$@" <<'PY'
import statistics, subprocess, sys, time
runs, count, cmd = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
rates = []
for _ in range(runs):
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, bufsize=0)
    start = done = None
    line = b""
    while True:
        c = p.stdout.read(1)
        if not c:
            break
        line += c
        if c == b"\n":
            if b"iobench: start" in line:
                start = time.monotonic()
            elif b"port writes done" in line:
                done = time.monotonic()
            line = b""
    p.wait()
    if start is None or done is None:
        sys.exit("kvm-bench: the iobench loop did not finish under " + cmd[0])
    rates.append(count / (done - start))
print("%.0f" % statistics.median(rates))
PY
}

printf '%-34s %14s %14s\n' "" "our qemu-kvm" "Debian QEMU"
ours_hello=$(median_ms ours hello)
their_hello=$(median_ms theirs hello)
printf '%-34s %11s ms %11s ms\n' "launch to reset (hello, median)" "$ours_hello" "$their_hello"
printf '%-34s %14s %14s\n' "port 0x80 exits/s (user space)" "$(loop_rate ours -append "count=$count")" "$(loop_rate theirs -append "count=$count")"
# the same loop on port 0x61, which our in-kernel PIT serves (KVM_PIT_SPEAKER_DUMMY): exits that
# never reach user space, the kernel's own cost; Debian's QEMU creates its PIT without that flag
# and serves 0x61 in user space (its pcspk), so its column is a user-space exit again
printf '%-34s %14s %14s\n' "port 0x61 exits/s (ours in kernel)" "$(loop_rate ours -append "count=$count port=97")" "$(loop_rate theirs -append "count=$count port=97")"
printf '%-34s %11s KiB %10s KiB\n' "VMM memory (RSS minus guest RAM)" "$(vmm_memory_kb ours)" "$(vmm_memory_kb theirs)"
echo "(runs=$runs, count=$count port writes, -m ${ram_mb}M, $(nproc) CPUs, $(uname -r))"
