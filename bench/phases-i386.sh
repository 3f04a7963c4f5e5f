#!/bin/sh
# cpubench's phases one at a time (bench/src/cpubench.c at scale 2; second argument = phase mask: 0 start-up
# and buffer fill, 1 hashing, 2 sorting, 4 floating point), x87 and SSE2 builds, under Debian's
# qemu-i386 and bin/qemu-i386, one contender after the other per phase. Prints median wall seconds, the user+sys
# CPU seconds of that run and peak RSS (bench/lib.sh's measure), and the output is checked against
# the same source built natively for x86-64. A phase's own cost is its row minus the mask-0 row.
#   RUNS=N (default 3); PHASES="0 2" (default "0 1 2 4"); BUILDS="sse2" (default "x87 sse2");
#   BASELINE=path: also run that launcher (e.g. bin/qemu-i386 of a worktree of main, built) as a
#   third column, interleaved; QEMU_NO_AOT / QEMU_JAVA_OPTS pass through to both.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
phases=${PHASES:-0 1 2 4}
builds=${BUILDS:-x87 sse2}

i686-linux-gnu-gcc -static -O2 "$here/src/cpubench.c" -o "$work/phases-x87" -lm
i686-linux-gnu-gcc -static -O2 -msse2 -mfpmath=sse "$here/src/cpubench.c" -o "$work/phases-sse2" -lm
gcc -O2 "$here/src/cpubench.c" -o "$work/phases-native" -lm
ours=$root/bin/qemu-i386

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
header="| build | phase mask | Debian qemu-i386 7.2 | ours |"
[ -n "${BASELINE:-}" ] && header="$header baseline ($BASELINE) |"
echo "$header"
echo "$header" | sed 's/[^|]*|/ --- |/g; s/^ //'
for b in $builds; do
  for p in $phases; do
    expected=$("$work/phases-native" 2 "$p")
    q=$(measure "$expected" qemu-i386 "$work/phases-$b" 2 "$p")
    o=$(measure "$expected" "$ours" "$work/phases-$b" 2 "$p")
    row="| $b | $p | $q | $o |"
    if [ -n "${BASELINE:-}" ]; then
      base=$(measure "$expected" "$BASELINE" "$work/phases-$b" 2 "$p")
      row="$row $base |"
    fi
    echo "$row"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "(each cell: median wall s, user+sys CPU s of that run, peak RSS MiB)"
