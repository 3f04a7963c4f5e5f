#!/bin/sh
# busybox sha256sum at several input sizes, interleaved: a baseline checkout, this checkout and
# Debian's qemu-i386, one run of each per round, so the fixed cost (start-up, JIT warm-up: the
# small sizes) and the steady state (the large sizes' difference) of two builds can be told apart
# on a machine whose speed swings within minutes. Each tree uses its own AOT cache (retrain it
# with scripts/train-aot.sh after a build, or export QEMU_NO_AOT=1 for both).
#   bench/sha-split-i386.sh BASELINE_ROOT [rounds] [sizes in MiB...]     (default: 5 rounds, 1 8 32 128)
# Prints one line per run (size, contender, wall seconds, user+sys CPU seconds) and then, per size
# and contender, the median wall and CPU. As root it runs every command under `chrt -f 10`
# (real-time priority: near-quiet timings while other work loads the machine); RT=0 turns that off
# (when other processes on the machine run under real-time priority too, runs at the same priority
# can spin for tens of seconds: then compare CPU seconds without it).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
base=$1
shift
rounds=${1:-5}
[ $# -gt 0 ] && shift
sizes=${*:-1 8 32 128}
busybox32=$root/target/fixtures/busybox-i386/bin/busybox
[ -x "$busybox32" ] || "$root/scripts/install-deps.sh" >/dev/null
rt=
[ "${RT:-1}" != 0 ] && [ "$(id -u)" = 0 ] && command -v chrt >/dev/null && rt="chrt -f 10"
for n in $sizes; do
  [ -f "$work/sha-$n.bin" ] || head -c $((n * 1048576)) /dev/urandom > "$work/sha-$n.bin"
done

one() {
  name=$1; n=$2; shift 2
  $rt /usr/bin/time -f '%e %U %S' -o "$work/sha-usage" "$@" sha256sum "$work/sha-$n.bin" > "$work/sha-out" 2>&1
  [ "$(cut -d' ' -f1 "$work/sha-out")" = "$(cut -d' ' -f1 "$work/sha-$n.sum")" ] || { echo "$name: wrong digest for $n MiB" >&2; exit 1; }
  read -r e u s < "$work/sha-usage"
  printf '%s %s %s %.2f\n' "$n" "$name" "$e" "$(echo "$u + $s" | bc -l)" | tee -a "$work/sha-runs"
}

: > "$work/sha-runs"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for n in $sizes; do
  sha256sum "$work/sha-$n.bin" > "$work/sha-$n.sum"
done
r=0
while [ $r -lt "$rounds" ]; do
  for n in $sizes; do
    one base "$n" "$base/bin/qemu-i386" "$busybox32"
    one this "$n" "$root/bin/qemu-i386" "$busybox32"
    one qemu "$n" qemu-i386 "$busybox32"
  done
  r=$((r + 1))
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "medians (MiB contender wall cpu):"
for n in $sizes; do
  for c in base this qemu; do
    w=$(awk -v n="$n" -v c="$c" '$1 == n && $2 == c { print $3 }' "$work/sha-runs" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
    u=$(awk -v n="$n" -v c="$c" '$1 == n && $2 == c { print $4 }' "$work/sha-runs" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
    echo "$n $c $w $u"
  done
done
