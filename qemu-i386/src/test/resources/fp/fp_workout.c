/*
 * Floating-point workout for the x87/SSE translator tests: double, float and long double
 * arithmetic, conversions, rounding modes, libm, printf/strtod. Output depends only on IEEE
 * semantics (and, for the x87 build, on 80-bit intermediates), never on the word size.
 */
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile double vd[] = {0.1, 1.0 / 3.0, 2.5, -7.75, 1e300, 1e-300, 4.9e-324, 123456789.123456789, -0.0, 3.0};
static volatile float vf[] = {0.1f, 1.0f / 3.0f, 2.5f, -7.75f, 1e30f, 1e-30f, 1.4e-45f, 16777217.0f};
static volatile long double vl[] = {0.1L, 1.0L / 3.0L, 2.5L, -7.75L, 1e4000L, 1e-4000L, 123456789.123456789L};

static double harmonic(int n) {
    double s = 0;
    for (int i = 1; i <= n; i++) {
        s += 1.0 / i;
    }
    return s;
}

static long double harmonic_long(int n) {
    long double s = 0;
    for (int i = 1; i <= n; i++) {
        s += 1.0L / i;
    }
    return s;
}

static double mandel(void) {
    int inside = 0;
    for (int py = 0; py < 40; py++) {
        for (int px = 0; px < 60; px++) {
            double x0 = px / 20.0 - 2.0, y0 = py / 20.0 - 1.0, x = 0, y = 0;
            int it = 0;
            while (x * x + y * y <= 4 && it < 200) {
                double t = x * x - y * y + x0;
                y = 2 * x * y + y0;
                x = t;
                it++;
            }
            inside += it == 200;
        }
    }
    return inside;
}

/* Loops gcc -O3 vectorizes into packed SSE/SSE2 instructions (with -msse2). */
static void vectors(void) {
    static float fa[1024], fb[1024];
    static double da[512], db[512];
    static int ia[1024];
    static unsigned char ca[1024];
    static short sa[1024];
    for (int i = 0; i < 1024; i++) {
        fa[i] = (float) i / 7.0f;
        fb[i] = 1.0f / (float) (i + 1);
        ia[i] = i * 2654435761u;
        ca[i] = (unsigned char) (i * 37);
        sa[i] = (short) (i * 91 - 30000);
    }
    for (int i = 0; i < 512; i++) {
        da[i] = i * 0.25 + 1;
        db[i] = 512.0 / (i + 1);
    }
    for (int i = 0; i < 1024; i++) {
        fa[i] = fa[i] * 1.5f + fb[i];
    }
    for (int i = 0; i < 512; i++) {
        da[i] = sqrt(da[i]) / (db[i] + 1.0);
    }
    for (int i = 0; i < 1024; i++) {
        ia[i] = ia[i] * 3 + (ia[i] >> 2);
        ca[i] = ca[i] > 100 ? ca[i] : 100;
        sa[i] = (short) (sa[i] * 3 + (sa[i] >> 3));
    }
    double fsum = 0, dsum = 0;
    long long isum = 0;
    for (int i = 0; i < 1024; i++) {
        fsum += fa[i];
        isum += ia[i] + ca[i] + sa[i];
    }
    for (int i = 0; i < 512; i++) {
        dsum += da[i];
    }
    printf("vectors %.17g %.17g %lld %.9g %.17g\n", fsum, dsum, isum, fa[1023], da[511]);
}

int main(void) {
    vectors();
    int nd = sizeof vd / sizeof vd[0], nf = sizeof vf / sizeof vf[0], nl = sizeof vl / sizeof vl[0];
    for (int i = 0; i < nd; i++) {
        double a = vd[i], b = vd[(i + 3) % nd];
        printf("d %d: %.17g %.17g %a | + %.17g - %.17g * %.17g / %.17g sqrt %.17g\n", i, a, b, a, a + b, a - b, a * b,
               a / b, sqrt(fabs(a)));
        printf("  floor %.17g ceil %.17g trunc %.17g round %.17g rint %.17g fmod %.17g\n", floor(a), ceil(a), trunc(a),
               round(a), rint(a), b != 0 ? fmod(a, b) : 0.0);
        printf("  (int) %d (long long) %lld lrint %ld %%e %e %%f %f %%g %g\n", (int) (a / 1e290 > 1 ? 0 : a),
               (long long) (fabs(a) < 9e18 ? a : 0), (long) (fabs(a) < 2e9 ? lrint(a) : 0), a, fabs(a) < 1e20 ? a : 0, a);
    }
    for (int i = 0; i < nf; i++) {
        float a = vf[i], b = vf[(i + 2) % nf];
        printf("f %d: %.9g %a | + %.9g * %.9g / %.9g sqrtf %.9g (double) %.17g\n", i, a, a, a + b, a * b, a / b,
               sqrtf(fabsf(a)), (double) a);
    }
    for (int i = 0; i < nl; i++) {
        long double a = vl[i], b = vl[(i + 1) % nl];
        printf("l %d: %.21Lg %La | + %.21Lg * %.21Lg / %.21Lg sqrtl %.21Lg %%Lf %Lf\n", i, a, a, a + b, a * b, a / b,
               sqrtl(fabsl(a)), fabsl(a) < 1e30L ? a : 0);
    }
    int modes[] = {FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO};
    const char *names[] = {"nearest", "down", "up", "zero"};
    for (int m = 0; m < 4; m++) {
        fesetround(modes[m]);
        volatile double x = 2.5, y = -2.5, z = 1.0, w = 3.0;
        volatile long double lx = 1.0L, ly = 3.0L;
        printf("round %s: rint %g %g nearbyint %g lrint %ld llrint %lld 1/3 %.17g 1/3L %.21Lg\n", names[m], rint(x),
               rint(y), nearbyint(x + 1), lrint(y), llrint(x), z / w, lx / ly);
    }
    fesetround(FE_TONEAREST);
    feclearexcept(FE_ALL_EXCEPT);
    volatile double zero = 0.0, one = 1.0, big = 1e308, tiny = 1e-308;
    volatile double r1 = one / zero;
    int e1 = fetestexcept(FE_DIVBYZERO) != 0;
    volatile double r2 = big * 10;
    int e2 = fetestexcept(FE_OVERFLOW) != 0;
    volatile double r3 = tiny / 1e10;
    int e3 = fetestexcept(FE_UNDERFLOW) != 0;
    volatile double r4 = zero / zero;
    int e4 = fetestexcept(FE_INVALID) != 0;
    printf("exceptions: %g %d %g %d %g %d %g %d inexact %d\n", r1, e1, r2, e2, r3, e3, r4, e4, fetestexcept(FE_INEXACT) != 0);
    const char *texts[] = {"3.14159265358979323846", "1e-310", "0x1.fffffffffffffp+1023", "-0", "inf", "nan",
                           "2.2250738585072011e-308", "123456789012345678901234567890"};
    for (int i = 0; i < 8; i++) {
        double v = strtod(texts[i], NULL);
        float f = strtof(texts[i], NULL);
        long double l = strtold(texts[i], NULL);
        printf("strtod %s: %.17g %a %.9g %.21Lg\n", texts[i], v, v, f, l);
    }
    double xs[] = {0.5, 1.0, 2.0, 10.0, -3.25, 100.0, 1e-5};
    for (int i = 0; i < 7; i++) {
        double x = xs[i];
        printf("libm %g: exp %.17g log %.17g pow %.17g sin %.17g cos %.17g tan %.17g atan2 %.17g cbrt %.17g hypot %.17g\n",
               x, exp(x), log(fabs(x)), pow(fabs(x), 1.5), sin(x), cos(x), tan(x), atan2(x, 1.5), cbrt(x),
               hypot(x, 2.0));
    }
    printf("harmonic %.17g %.21Lg mandel %g\n", harmonic(100000), harmonic_long(100000), mandel());
    long long big64 = 9007199254740993LL;
    unsigned int u = 4000000000u;
    printf("conv %.17g %.17g %.9g %lld %u %d\n", (double) big64, (double) u, (float) big64, (long long) (double) big64,
           (unsigned int) (double) u, (int) -2.9);
    return 0;
}
