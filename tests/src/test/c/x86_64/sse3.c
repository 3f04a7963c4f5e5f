/*
 * SSE3 as CPUID claims it (leaf 1 ECX bit 0): addsubpd/ps, haddpd/ps, hsubpd/ps, movddup,
 * movsldup, movshdup, lddqu and fisttp, on ordinary, signed-zero, infinite, NaN and denormal
 * values; results as bit patterns, then MXCSR's flags. The same natively and under emulation.
 */
#include <cpuid.h>
#include <float.h>
#include <math.h>
#include <pmmintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void show_pd(const char *name, __m128d v) {
    uint64_t b[2];
    memcpy(b, &v, 16);
    printf("%s %016llx %016llx\n", name, (unsigned long long)b[0], (unsigned long long)b[1]);
}

static void show_ps(const char *name, __m128 v) {
    uint32_t b[4];
    memcpy(b, &v, 16);
    printf("%s %08x %08x %08x %08x\n", name, b[0], b[1], b[2], b[3]);
}

__attribute__((target("sse3"), noinline)) static void run(const double *d, const float *f, const unsigned char *bytes) {
    for (int i = 0; i < 6; i++) {
        __m128d a = _mm_loadu_pd(d + i), b = _mm_loadu_pd(d + i + 2);
        __m128 x = _mm_loadu_ps(f + i), y = _mm_loadu_ps(f + i + 4);
        _mm_setcsr(0x1f80);
        show_pd("addsubpd", _mm_addsub_pd(a, b));
        show_pd("haddpd", _mm_hadd_pd(a, b));
        show_pd("hsubpd", _mm_hsub_pd(a, b));
        show_ps("addsubps", _mm_addsub_ps(x, y));
        show_ps("haddps", _mm_hadd_ps(x, y));
        show_ps("hsubps", _mm_hsub_ps(x, y));
        show_pd("movddup", _mm_movedup_pd(a));
        show_pd("movddup m64", _mm_loaddup_pd(d + i));
        show_ps("movsldup", _mm_moveldup_ps(x));
        show_ps("movshdup", _mm_movehdup_ps(y));
        printf("mxcsr %04x\n", _mm_getcsr());
        __m128i u = _mm_lddqu_si128((const __m128i *)(bytes + i));
        uint64_t q[2];
        memcpy(q, &u, 16);
        printf("lddqu %016llx %016llx\n", (unsigned long long)q[0], (unsigned long long)q[1]);
    }
}

int main(void) {
    unsigned a, b, c, d;
    __cpuid(1, a, b, c, d);
    int sse3 = c & 1;
    printf("claims: sse3 %d\n", sse3);
    if (!sse3) {
        return 0;
    }
    double dv[10] = {1.5, -2.25, 0.0, -0.0, INFINITY, 3.0, NAN, DBL_MIN / 4, 1e308, -1e308};
    float fv[12] = {1.5f, -2.25f, 0.0f, -0.0f, INFINITY, 3.0f, NAN, FLT_MIN / 4, 3e38f, -3e38f, 0.1f, -INFINITY};
    unsigned char bytes[32];
    for (int i = 0; i < 32; i++) bytes[i] = (unsigned char)(i * 37 + 11);
    run(dv, fv, bytes);
    long double values[] = {2.75L, -2.75L, 1e10L, -0.5L, 32767.9L, -32768.9L, 4e9L, 1e30L};
    for (int i = 0; i < 8; i++) {
        short s; int n; long long l;
        long double v = values[i];
        __asm__ volatile("fisttps %0" : "=m"(s) : "t"(v) : "st");
        __asm__ volatile("fisttpl %0" : "=m"(n) : "t"(v) : "st");
        __asm__ volatile("fisttpll %0" : "=m"(l) : "t"(v) : "st");
        printf("fisttp %d %d %lld\n", s, n, l);
    }
    return 0;
}
