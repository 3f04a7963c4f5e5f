#!/bin/sh
# Start-up of the user-mode emulators, every contender in the same run: `busybox true` (i386)
# and a static hello world (ppc) under bin/qemu-* and Debian's QEMU, plus a JDK "hello" as the
# floor of any JVM start. Reports the median wall time, the median user+sys CPU seconds (the
# machine is shared: CPU time is what other load disturbs least) and the peak RSS.
#   bench/startup-i386.sh [runs]        (QEMU_NO_AOT=1 to measure without the AOT cache)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
runs=${1:-5}
work=$root/target/bench
mkdir -p "$work"
busybox=$root/target/fixtures/busybox-i386/bin/busybox
[ -x "$busybox" ] || "$root/scripts/install-deps.sh" >/dev/null
printf '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n' > "$work/hello.c"
powerpc-linux-gnu-gcc -static -O2 "$work/hello.c" -o "$work/hello-ppc"
printf 'class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n' > "$work/Hello.java"
"$JAVA_HOME/bin/javac" -d "$work" "$work/Hello.java"

# median wall s, median user+sys s, max RSS MiB of one command over $runs runs
measure() {
  i=0; : > "$work/times"
  while [ $i -lt "$runs" ]; do
    /usr/bin/time -f '%e %U %S %M' -o "$work/one" "$@" > /dev/null 2>&1 || { echo "failed: $*" >&2; return 1; }
    cat "$work/one" >> "$work/times"
    i=$((i + 1))
  done
  mid=$(( (runs + 1) / 2 ))
  wall=$(cut -d' ' -f1 "$work/times" | sort -n | sed -n "${mid}p")
  cpu=$(awk '{printf "%.2f\n", $2 + $3}' "$work/times" | sort -n | sed -n "${mid}p")
  rss=$(cut -d' ' -f4 "$work/times" | sort -n | tail -1)
  printf '%s s | %s s | %d MiB' "$wall" "$cpu" $((rss / 1024))
}

echo "| run | wall (median of $runs) | user+sys CPU | peak RSS |"
echo "| --- | --- | --- | --- |"
echo "| JDK 25 hello world (SerialGC) | $(measure "$JAVA_HOME/bin/java" -XX:+UseSerialGC -cp "$work" Hello) |"
echo "| Debian qemu-i386 busybox true | $(measure qemu-i386 "$busybox" true) |"
echo "| ours qemu-i386 busybox true | $(measure "$root/bin/qemu-i386" "$busybox" true) |"
echo "| Debian qemu-ppc hello | $(measure qemu-ppc "$work/hello-ppc") |"
echo "| ours qemu-ppc hello | $(measure "$root/bin/qemu-ppc" "$work/hello-ppc") |"
