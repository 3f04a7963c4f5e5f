#!/bin/sh
# The warm-up curve of call-heavy code (bench/src/sortcurve.c, static x86-64): native, Debian's
# qemu-x86_64 and ours, one after the other, RUNS times (default 3). Each run prints its total,
# its first eight sorts and the mean of its last quarter: the first sort is code met for the
# first time, the last quarter the steady state. Arguments pass to the program (chunks, elements;
# default 60 sorts of 10,000). QEMU_JAVA_OPTS passes through to bin/qemu-x86_64; BASELINE=path
# adds another launcher (bin/qemu-x86_64 of a built worktree).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
gcc -static -O2 "$here/src/sortcurve.c" -o "$work/sortcurve-x86_64"
expected=$("$work/sortcurve-x86_64" "$@" 2>/dev/null)
contenders="native: qemu:qemu-x86_64 ours:$root/bin/qemu-x86_64"
[ -n "${BASELINE:-}" ] && contenders="$contenders baseline:$BASELINE"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
i=0
while [ $i -lt "$runs" ]; do
  for c in $contenders; do
    name=${c%%:*}; launcher=${c#*:}
    if [ -z "$launcher" ]; then
      out=$("$work/sortcurve-x86_64" "$@" 2>"$work/sortcurve.err")
    else
      out=$("$launcher" "$work/sortcurve-x86_64" "$@" 2>"$work/sortcurve.err")
    fi
    [ "$out" = "$expected" ] || { echo "$name: wrong checksum ($out, native $expected)"; exit 1; }
    echo "$name: $(cat "$work/sortcurve.err")"
  done
  i=$((i + 1))
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
