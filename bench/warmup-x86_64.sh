#!/bin/sh
# Warm-up curves (bench/src/warmup.c, static x86-64): native, Debian's qemu-x86_64 and ours, one
# after the other, RUNS times (default 3); each run prints its first loop's time per 5,000
# iterations and its sort rounds, so round 0 against the later rounds says what warm-up costs,
# apart from start-up and with less of the machine's noise than whole-program wall times.
# QEMU_JAVA_OPTS and QEMU_NO_AOT pass through to bin/qemu-x86_64; BASELINE=path adds another
# launcher (bin/qemu-x86_64 of a built worktree) to each round.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
gcc -static -O2 "$here/src/warmup.c" -o "$work/warmup-x86_64"
rounds=${ROUNDS:-6}
expected=$("$work/warmup-x86_64" "$rounds" 2>/dev/null)
contenders="native:$work/warmup-x86_64 qemu:qemu-x86_64 ours:$root/bin/qemu-x86_64"
[ -n "${BASELINE:-}" ] && contenders="$contenders baseline:$BASELINE"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
i=0
while [ $i -lt "$runs" ]; do
  for c in $contenders; do
    name=${c%%:*}; cmd=${c#*:}
    if [ "$name" = native ]; then set -- "$work/warmup-x86_64"; else set -- "$cmd" "$work/warmup-x86_64"; fi
    out=$("$@" "$rounds" 2>"$work/warmup.err")
    [ "$out" = "$expected" ] || { echo "$name: wrong checksum ($out, native $expected)"; exit 1; }
    echo "== $name, run $((i + 1))"
    cat "$work/warmup.err"
  done
  i=$((i + 1))
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
