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
self_timed_x86_64 "$work/warmup-x86_64" "${ROUNDS:-6}"
