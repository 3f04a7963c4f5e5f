/*
 * Warm-up curve of a user-mode emulator: how fast the same guest code runs the first, the second
 * and the hundredth time. Times itself with CLOCK_MONOTONIC (the emulator's own clock) and prints
 * to stderr, so one run shows what whole-program timings mix together:
 *   fill: the first loop of the program (two xorshift steps, an int and a double store per
 *         iteration), in 40 chunks of 5,000 iterations, ms per chunk;
 *   sort: cpubench's sorting phase (qsort of 200,000 ints, then doubles, through comparator
 *         calls), ms per round, rounds given by the first argument (default 8).
 * stdout gets a checksum, the same natively and under emulation.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "now_ms.h"

static uint64_t xorshift(uint64_t *s) {
    uint64_t x = *s; x ^= x << 13; x ^= x >> 7; x ^= x << 17; return *s = x;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int cmp_dbl(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void fill(uint32_t *ints, double *dbls, size_t from, size_t to, uint64_t *seed) {
    for (size_t i = from; i < to; i++) {
        ints[i] = (uint32_t)xorshift(seed);
        dbls[i] = (double)(xorshift(seed) >> 11) / 9007199254740992.0;
    }
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 8;
    enum { N = 200000, CHUNKS = 40 };
    uint64_t seed = 88172645463325252ull, sum = 0;
    uint32_t *ints = malloc(N * sizeof *ints);
    double *dbls = malloc(N * sizeof *dbls);

    fprintf(stderr, "fill ms per 5000 iterations:");
    double t = now_ms();
    for (int c = 0; c < CHUNKS; c++) {
        fill(ints, dbls, (size_t)c * (N / CHUNKS), (size_t)(c + 1) * (N / CHUNKS), &seed);
        double next = now_ms();
        fprintf(stderr, " %.2f", next - t);
        t = next;
    }
    fprintf(stderr, "\n");
    for (int r = 0; r < rounds; r++) {
        if (r > 0) fill(ints, dbls, 0, N, &seed);
        double a = now_ms();
        qsort(ints, N, sizeof *ints, cmp_u32);
        double b = now_ms();
        qsort(dbls, N, sizeof *dbls, cmp_dbl);
        double c = now_ms();
        fprintf(stderr, "sort round %d: ints %.1f ms, doubles %.1f ms\n", r, b - a, c - b);
        for (size_t i = 0; i < N; i += 997) sum += ints[i] ^ (uint64_t)(dbls[i] * 1e9);
    }
    printf("%llu\n", (unsigned long long)sum);
    return 0;
}
