#!/bin/sh
# Issue 7's speed measure: Debian's i386 kernel with a busybox initramfs, from start to the
# shell's marker and the reboot that ends the run (reboot=k + -no-reboot: status 0), under
# Debian's qemu-system-i386 (TCG) and ours, interleaved, RUNS times each. Prints wall time,
# user+sys CPU and peak RSS of every run and the median ratio.
#
# The kernel comes from target/tcg-linux (what TcgLinuxBootTest fetches: linux-image-*-686:i386),
# busybox from target/fixtures/busybox-i386 (scripts/install-deps.sh); the initramfs is built
# here with cpio(1) with the same /init as the test.
# ARCH=amd64: Debian's amd64 kernel from target/tcg-linux-amd64 (TcgLinuxBootTest's AMD64 case fetches it)
# with the host's amd64 busybox-static (/bin/busybox), under qemu-system-x86_64 (ours: long mode).
# BASE=/path/to/another/checkout: that checkout's bin/ (built, e.g. main's jars in a second worktree)
# runs too, interleaved as a third column ("base"), so a branch and main compare in the same minutes.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
runs=${RUNS:-3}
base=${BASE:-}
arch=${ARCH:-i386}
if [ "$arch" = amd64 ]; then
  kernel=$(ls "$root"/target/tcg-linux-amd64/vmlinuz-* 2>/dev/null | head -1 || true)
  busybox=${BUSYBOX:-/bin/busybox}
  program=qemu-system-x86_64
else
  kernel=$(ls "$root"/target/tcg-linux/vmlinuz-* 2>/dev/null | head -1 || true)
  busybox=$root/target/fixtures/busybox-i386/bin/busybox
  program=qemu-system-i386
fi
if [ -z "$kernel" ] || [ ! -x "$busybox" ]; then
  echo "run-linux-boot: needs the $arch kernel (run TcgLinuxBootTest once) and $busybox (scripts/install-deps.sh)" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tree/bin" "$work/tree/dev" "$work/tree/proc" "$work/tree/sys"
cp "$busybox" "$work/tree/bin/busybox"
cat > "$work/tree/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
echo TCG-LINUX-MARKER
uname -a
ls /
echo $((6*7))
reboot -f
EOF
chmod 755 "$work/tree/init" "$work/tree/bin/busybox"
(cd "$work/tree" && find . | cpio -o -H newc --quiet > "$work/initramfs.cpio")
# no_timer_check: the kernel's early check that the timer ticks (timer_irq_works) waits 164 ms of
# host time for 5 ticks; a CPU thread starved by a loaded host takes fewer and the kernel panics
# (seen at load average 20+). It skips the same 164 ms under both emulators.
append="console=ttyS0 acpi=off reboot=k nokaslr quiet panic=-1 no_timer_check"

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq "$runs"); do
  for who in debian ours ${base:+base}; do
    case $who in
      debian) emu=$program ;;
      ours) emu=$root/bin/$program ;;
      base) emu=$base/bin/$program ;;
    esac
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" \
      "$emu" -nographic -no-reboot -m 256 -kernel "$kernel" -initrd "$work/initramfs.cpio" \
      -append "$append" > "$work/out" 2>&1 < /dev/null || true
    grep -q TCG-LINUX-MARKER "$work/out" || { echo "run-linux-boot: $who did not reach the marker" >&2; tail -5 "$work/out" >&2; exit 1; }
    read -r wall user sys rss < "$work/time"
    echo "$who $wall $(echo "$user + $sys" | bc) $rss" | tee -a "$work/results"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
median() { grep "^$1 " "$work/results" | cut -d' ' -f"$2" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
dw=$(median debian 2); ow=$(median ours 2); dc=$(median debian 3); oc=$(median ours 3)
echo "| boot to marker + reboot | Debian $program 7.2 | ours | ours / QEMU (wall) | ours / QEMU (CPU) |"
echo "| --- | --- | --- | --- | --- |"
echo "| $(basename "$kernel"), median of $runs | $dw s ($dc s CPU) | $ow s ($oc s CPU) | $(echo "scale=2; $ow / $dw" | bc) | $(echo "scale=2; $oc / $dc" | bc) |"
if [ -n "$base" ]; then
  bw=$(median base 2); bc_=$(median base 3)
  echo "| $(basename "$kernel"), median of $runs, $base | $dw s ($dc s CPU) | $bw s ($bc_ s CPU) | $(echo "scale=2; $bw / $dw" | bc) | $(echo "scale=2; $bc_ / $dc" | bc) |"
fi
