/*
 * cpubench's phases one at a time, each timed with the thread's CPU clock, for finding where
 * an emulator's time goes (warm-up rounds against steady state). Usage: phases-ppc PHASE ROUNDS
 * with PHASE one of hash, isort, dsort, fill, nbody, series (fill: the loop that fills the sort's
 * arrays, which cpubench times with the sort; its uint64-to-double conversion is a libgcc call).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>

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
static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    const char *phase = argc > 1 ? argv[1] : "isort";
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    uint64_t seed = 88172645463325252ull;
    size_t m = 200000;
    uint32_t *ints = malloc(m * sizeof *ints);
    double *dbls = malloc(m * sizeof *dbls);
    uint8_t *buf = malloc(1 << 20);
    for (size_t i = 0; i < (1 << 20); i++) buf[i] = (uint8_t)xorshift(&seed);
    uint64_t sum = 0;
    printf("start-up %.3f\n", now());
    for (int r = 0; r < rounds; r++) {
        for (size_t i = 0; i < m; i++) { ints[i] = (uint32_t)xorshift(&seed); dbls[i] = (double)(xorshift(&seed) >> 11) / 9007199254740992.0; }
        double t0 = now();
        if (!strcmp(phase, "isort")) {
            qsort(ints, m, sizeof *ints, cmp_u32);
            sum += ints[m / 2];
        } else if (!strcmp(phase, "dsort")) {
            qsort(dbls, m, sizeof *dbls, cmp_dbl);
            sum += (uint64_t)(dbls[m / 2] * 1e9);
        } else if (!strcmp(phase, "fill")) {
            for (int k = 0; k < 4; k++)
                for (size_t i = 0; i < m; i++) { ints[i] = (uint32_t)xorshift(&seed); dbls[i] = (double)(xorshift(&seed) >> 11) / 9007199254740992.0; }
            sum += ints[m / 2] + (uint64_t)(dbls[m / 3] * 1e9);
        } else if (!strcmp(phase, "hash")) {
            uint32_t h = 2166136261u;
            for (int k = 0; k < 8; k++) for (size_t i = 0; i < (1 << 20); i++) { h ^= buf[i]; h *= 16777619u; }
            sum += h;
        } else if (!strcmp(phase, "nbody")) {
            double x[64], y[64], vx[64], vy[64];
            for (int i = 0; i < 64; i++) { x[i] = cos(i + r); y[i] = sin(i); vx[i] = vy[i] = 0; }
            for (int step = 0; step < 60; step++) {
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
            }
            sum += (uint64_t)(x[0] * 1e6);
        } else {
            double s = 0;
            for (int k = 1; k < 1000000; k++) s += 1.0 / ((double)k * k);
            sum += (uint64_t)(s * 1e9);
        }
        printf("round %d %.3f\n", r, now() - t0);
    }
    printf("sum %llu total %.3f\n", (unsigned long long)sum, now());
    return 0;
}
