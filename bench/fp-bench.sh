#!/bin/sh
# Floating-point micro-benchmarks (bench/fp-kernels.c) under Debian's qemu-i386 and ours, in
# the same run: wall and user+sys CPU seconds of each (the best of RUNS runs, default 1), and
# the checksums must agree. With BASELINE_LIB=<dir of jars> (e.g. a copy of another build's
# target/lib) a third column runs that build, for before/after numbers on a busy machine.
# Usage: [RUNS=n] [BASELINE_LIB=dir] bench/fp-bench.sh [millions]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export QEMU_NO_AOT=1 # timing freshly built jars: an older AOT cache would be ignored anyway
work=$root/target/bench
mkdir -p "$work"
m=${1:-2}
runs=${RUNS:-1}
i686-linux-gnu-gcc -static -O2 "$here/fp-kernels.c" -o "$work/fpk-x87" -lm
i686-linux-gnu-gcc -static -O2 -msse2 -mfpmath=sse "$here/fp-kernels.c" -o "$work/fpk-sse2" -lm

if [ -n "${BASELINE_LIB:-}" ]; then
  # the launcher's JVM options, on the other build's jars
  cat > "$work/fp-baseline" <<SCRIPT
#!/bin/sh
exec "$JAVA_HOME/bin/java" -XX:+UseSerialGC -Xss16m --enable-native-access=ALL-UNNAMED \\
  -cp "$BASELINE_LIB/*" org.qemu.i386.launcher.QemuI386 "\$@"
SCRIPT
  chmod +x "$work/fp-baseline"
fi

# prints "wall s / cpu s" (best CPU of $runs) for one command; its output lands in $work/fp-out
timed() {
  best=""
  i=0
  while [ $i -lt "$runs" ]; do
    /usr/bin/time -f '%e %U %S' -o "$work/fp-time" "$@" > "$work/fp-out"
    line=$(awk '{ printf "%.2f %.2f", $2 + $3, $1 }' "$work/fp-time")
    best=$(printf '%s\n%s\n' "$best" "$line" | grep . | sort -n | head -1)
    i=$((i + 1))
  done
  echo "$best" | awk '{ printf "%.2f s / %.2f s", $2, $1 }'
}

header="| kernel | build | Debian qemu-i386 (wall / CPU) |"
rule="| --- | --- | --- |"
if [ -n "${BASELINE_LIB:-}" ]; then header="$header baseline (wall / CPU) |"; rule="$rule --- |"; fi
echo "$header ours (wall / CPU) | same result |"
echo "$rule --- | --- |"
for spec in x87:x87 sse2:sse2 nbody:x87 nbody:sse2 series:x87 series:sse2; do
  kernel=${spec%%:*}; build=${spec##*:}
  q=$(timed qemu-i386 "$work/fpk-$build" "$kernel" "$m"); qout=$(cat "$work/fp-out")
  b=
  same=yes
  if [ -n "${BASELINE_LIB:-}" ]; then
    b=" $(timed "$work/fp-baseline" "$work/fpk-$build" "$kernel" "$m") |"
    [ "$(cat "$work/fp-out")" = "$qout" ] || same=no
  fi
  o=$(timed "$root/bin/qemu-i386" "$work/fpk-$build" "$kernel" "$m"); oout=$(cat "$work/fp-out")
  [ "$qout" = "$oout" ] || same=no
  echo "| $kernel | $build | $q |$b $o | $same |"
done
