#!/bin/sh
# Where cpubench's time goes, timed from inside: bench/src/cpubench.c built with -DPHASE_TIMES
# (static x86-64) prints the milliseconds from main to the end of each phase (buffer fill and
# hashing, sorting, n-body, series) and each 20-step n-body batch, natively, under Debian's
# qemu-x86_64 and under ours, RUNS times (default 3). The JVM's start and exit are outside these
# numbers (compare bench/run-x86_64.sh's wall times). Arguments pass to the program (scale, phase
# mask). QEMU_JAVA_OPTS passes through to bin/qemu-x86_64; BASELINE=path adds another launcher.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
gcc -static -O2 -DPHASE_TIMES "$here/src/cpubench.c" -o "$work/cpubench-phases-x86_64" -lm
self_timed_x86_64 "$work/cpubench-phases-x86_64" "$@"
