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
self_timed_x86_64 "$work/sortcurve-x86_64" "$@"
