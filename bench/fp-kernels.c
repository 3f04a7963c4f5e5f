/*
 * Floating-point micro-benchmarks for the i386 user-mode emulator: the x87 and SSE2 instruction
 * mixes compiled code uses most, each in a tight loop with memory operands, plus the two
 * floating-point kernels of cpubench.c (n-body step, series sum) on their own.
 * Usage: fp-kernels KERNEL [MILLIONS]   KERNEL: x87 | sse2 | nbody | series
 * Prints a checksum so a run can be compared with Debian's qemu-i386 (or native x86-64 for the
 * C kernels).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

static double in[4] = { 1.0000001, 0.9999999, 3.0, 1.5 };
static volatile double out;

/* fld m64; fadd m64; fmul m64; fdiv m64; fsqrt; fcomip; fstp m64; fild m32; fistp m32. */
static double x87_loop(long n) {
#if defined(__i386__) || defined(__x86_64__)
    double acc = 1.0;
    int k = 7, r = 0;
    for (long i = 0; i < n; i++) {
        __asm__ volatile(
            "fldl %[acc]\n\t"
            "faddl %[a]\n\t"
            "fmull %[b]\n\t"
            "fdivl %[c]\n\t"
            "fmull %[c]\n\t"
            "fsubl %[a]\n\t"
            "fldl %[d]\n\t"
            "fsqrt\n\t"
            "fcomip %%st(1), %%st\n\t"
            "fstpl %[acc]\n\t"
            "fildl %[k]\n\t"
            "fistpl %[r]\n\t"
            : [acc] "+m"(acc), [r] "=m"(r)
            : [a] "m"(in[0]), [b] "m"(in[1]), [c] "m"(in[2]), [d] "m"(in[3]), [k] "m"(k)
            : "cc", "st");
    }
    return acc + r;
#else
    (void)n;
    return 0;
#endif
}

/* movsd m64; addsd m64; mulsd m64; divsd m64; sqrtsd; cvtsi2sd; cvttsd2si; ucomisd; movsd store. */
static double sse2_loop(long n) {
#if defined(__SSE2__)
    double acc = 1.0;
    int t = 0;
    for (long i = 0; i < n; i++) {
        int c = (int)i & 1023;
        __asm__ volatile(
            "movsd %[acc], %%xmm0\n\t"
            "addsd %[a], %%xmm0\n\t"
            "mulsd %[b], %%xmm0\n\t"
            "divsd %[c], %%xmm0\n\t"
            "mulsd %[c], %%xmm0\n\t"
            "subsd %[a], %%xmm0\n\t"
            "sqrtsd %[d], %%xmm1\n\t"
            "cvtsi2sd %[i], %%xmm2\n\t"
            "addsd %%xmm2, %%xmm1\n\t"
            "cvttsd2si %%xmm1, %[t]\n\t"
            "ucomisd %%xmm1, %%xmm0\n\t"
            "movsd %%xmm0, %[acc]\n\t"
            : [acc] "+m"(acc), [t] "=r"(t)
            : [a] "m"(in[0]), [b] "m"(in[1]), [c] "m"(in[2]), [d] "m"(in[3]), [i] "r"(c)
            : "cc", "xmm0", "xmm1", "xmm2");
    }
    return acc + t;
#else
    (void)n;
    fprintf(stderr, "fp-kernels: sse2 needs a -msse2 build\n");
    exit(2);
#endif
}

static double nbody(long steps) {
    double x[64], y[64], vx[64], vy[64];
    for (int i = 0; i < 64; i++) { x[i] = cos(i); y[i] = sin(i); vx[i] = vy[i] = 0; }
    for (long step = 0; step < steps; step++) {
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
    double e = 0;
    for (int i = 0; i < 64; i++) e += x[i] * x[i] + y[i] * y[i];
    return e;
}

static double series(long n) {
    double s = 0;
    for (long k = 1; k < n; k++) s += 1.0 / ((double)k * k);
    return s;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: fp-kernels x87|sse2|nbody|series [millions]\n");
        return 2;
    }
    long millions = argc > 2 ? atol(argv[2]) : 2;
    double r;
    if (strcmp(argv[1], "x87") == 0) r = x87_loop(millions * 1000000L);
    else if (strcmp(argv[1], "sse2") == 0) r = sse2_loop(millions * 1000000L);
    else if (strcmp(argv[1], "nbody") == 0) r = nbody(millions * 100);
    else if (strcmp(argv[1], "series") == 0) r = series(millions * 1000000L);
    else { fprintf(stderr, "fp-kernels: unknown kernel %s\n", argv[1]); return 2; }
    out = r;
    printf("%s %.17g\n", argv[1], r);
    return 0;
}
