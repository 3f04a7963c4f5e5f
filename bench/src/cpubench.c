/*
 * CPU-bound benchmark for the user-mode emulators: hashing (FNV-1a and a xorshift mix),
 * sorting (qsort of integers and doubles), and floating point (a small n-body step and
 * a series sum). Prints checksums so every run can be checked against the native one.
 * Scale with the first argument (default 2). The second, a bit mask, runs some phases alone (1 hashing,
 * 2 sorting, 4 floating point; default 7 = all; 0 = start-up and the buffer fill only): phases left
 * out print their untouched checksums, so each mask has one expected output (bench/phases-i386.sh).
 * Built with -DPHASE_TIMES it also prints, on stderr, the milliseconds from main to each phase's
 * end and each 20-step n-body batch (bench/cpubench-phases-x86_64.sh); the default build makes no
 * clock calls.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#ifdef PHASE_TIMES
#include "now_ms.h"
static double phase_start, batch_start;
#define PHASE_BEGIN() (phase_start = now_ms())
#define BATCH_BEGIN() (batch_start = now_ms())
#define PHASE_END(name) fprintf(stderr, "%s done at %.0f ms\n", name, now_ms() - phase_start)
#define BATCH_END() do { double u = now_ms(); fprintf(stderr, "  n-body batch %.1f ms\n", u - batch_start); batch_start = u; } while (0)
#else
#define PHASE_BEGIN() ((void)0)
#define BATCH_BEGIN() ((void)0)
#define PHASE_END(name) ((void)0)
#define BATCH_END() ((void)0)
#endif

static uint32_t fnv1a(const uint8_t *p, size_t n, uint32_t h) {
    for (size_t i = 0; i < n; i++) { h ^= p[i]; h *= 16777619u; }
    return h;
}

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

int main(int argc, char **argv) {
    int scale = argc > 1 ? atoi(argv[1]) : 2;
    int phases = argc > 2 ? atoi(argv[2]) : 7;
    uint64_t seed = 88172645463325252ull;
    PHASE_BEGIN();

    /* hashing */
    size_t n = 1 << 20;
    uint8_t *buf = malloc(n);
    for (size_t i = 0; i < n; i++) buf[i] = (uint8_t)xorshift(&seed);
    uint32_t h = 2166136261u;
    for (int r = 0; r < 24 * scale * (phases & 1); r++) h = fnv1a(buf, n, h);
    printf("fnv1a %08x\n", h);
    PHASE_END("buffer fill and hashing");

    /* sorting */
    size_t m = 200000;
    uint32_t *ints = malloc(m * sizeof *ints);
    double *dbls = malloc(m * sizeof *dbls);
    uint64_t sum = 0;
    for (int r = 0; r < 2 * scale * ((phases >> 1) & 1); r++) {
        for (size_t i = 0; i < m; i++) { ints[i] = (uint32_t)xorshift(&seed); dbls[i] = (double)(xorshift(&seed) >> 11) / 9007199254740992.0; }
        qsort(ints, m, sizeof *ints, cmp_u32);
        qsort(dbls, m, sizeof *dbls, cmp_dbl);
        for (size_t i = 0; i < m; i += 997) sum += ints[i] ^ (uint64_t)(dbls[i] * 1e9);
    }
    printf("sort %llu\n", (unsigned long long)sum);
    PHASE_END("sorting");

    /* floating point */
    double x[64], y[64], vx[64], vy[64];
    for (int i = 0; i < 64; i++) { x[i] = cos(i); y[i] = sin(i); vx[i] = vy[i] = 0; }
    BATCH_BEGIN();
    for (int step = 0; step < 150 * scale * ((phases >> 2) & 1); step++) {
        for (int i = 0; i < 64; i++) {
            double ax = 0, ay = 0;
            for (int j = 0; j < 64; j++) {
                if (i == j) continue;
                double dx = x[j] - x[i], dy = y[j] - y[i];
                double d2 = dx * dx + dy * dy + 0.01;
                double inv = 1.0 / (d2 * sqrt(d2));
                ax += dx * inv; ay += dy * inv;
            }
            vx[i] += 1e-5 * ax; vy[i] += 1e-5 * ay;
        }
        for (int i = 0; i < 64; i++) { x[i] += 1e-3 * vx[i]; y[i] += 1e-3 * vy[i]; }
        if (step % 20 == 19) BATCH_END();
    }
    PHASE_END("n-body");
    double e = 0;
    for (int i = 0; i < 64; i++) e += x[i] * x[i] + y[i] * y[i];
    double s = 0;
    for (int k = 1; k < 2000000 * scale * ((phases >> 2) & 1); k++) s += 1.0 / ((double)k * k);
    PHASE_END("series");
    printf("nbody %.9f series %.12f\n", e, s);
    return 0;
}
