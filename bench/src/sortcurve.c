/*
 * Warm-up curve of call-heavy code: CHUNKS separate qsorts of N random 32-bit integers each
 * (default 60 of 10,000), each timed with CLOCK_MONOTONIC. glibc's merge sort recurses ~2N
 * times per sort and calls the comparator through a pointer ~13N times, so the first chunk shows
 * how fast an emulator runs code it has just met, the following ones how quickly it reaches its
 * steady state, and the last ones that steady state. stderr: the total, the first chunks one by
 * one and the mean of the last quarter; stdout: a checksum, the same natively and under emulation.
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

int main(int argc, char **argv) {
    int chunks = argc > 1 ? atoi(argv[1]) : 60;
    size_t n = argc > 2 ? (size_t)atol(argv[2]) : 10000;
    if (chunks < 4 || n < 2) {
        fprintf(stderr, "usage: sortcurve [chunks >= 4] [elements >= 2]\n");
        return 2;
    }
    uint64_t seed = 88172645463325252ull, sum = 0;
    uint32_t *ints = malloc(n * sizeof *ints);
    double *ms = malloc(chunks * sizeof *ms);
    double start = now_ms();
    for (int c = 0; c < chunks; c++) {
        for (size_t i = 0; i < n; i++) ints[i] = (uint32_t)xorshift(&seed);
        double a = now_ms();
        qsort(ints, n, sizeof *ints, cmp_u32);
        ms[c] = now_ms() - a;
        sum += ints[n / 2] ^ ints[n - 1];
    }
    double total = now_ms() - start, tail = 0;
    for (int c = chunks - chunks / 4; c < chunks; c++) tail += ms[c];
    fprintf(stderr, "total %.1f ms, first chunks", total);
    for (int c = 0; c < 8; c++) fprintf(stderr, " %.1f", ms[c]);
    fprintf(stderr, ", last quarter %.2f ms a chunk\n", tail / (chunks / 4));
    printf("%llu\n", (unsigned long long)sum);
    return 0;
}
