/*
 * The clock of the benchmark programs that time themselves (cpubench.c with -DPHASE_TIMES,
 * sortcurve.c, warmup.c): CLOCK_MONOTONIC in milliseconds. Under our emulators it is the JVM's
 * System.nanoTime, under Debian's QEMU and natively the host's: one clock for every contender.
 */
#ifndef BENCH_NOW_MS_H
#define BENCH_NOW_MS_H
#include <time.h>

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}
#endif
