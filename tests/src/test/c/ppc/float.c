/* Floating point: arithmetic, conversions, printf of doubles, libm, rounding modes and flags. */
#include <fenv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <inttypes.h>

int main(void) {
    volatile double a = 0.1, b = 0.2, c = 3.0;
    printf("add %.17g mul %.17g div %.17g\n", a + b, a * c, b / c);
    printf("sqrt %.17g %.17g\n", sqrt(2.0), sqrt(c));
    printf("fmt %f %e %g %.3f %10.4e %a\n", 1234.5678, 0.000123456, 1e20, -2.0005, 6.02214076e23, 1.0 / 3);
    printf("big %.0f %.10g %g %g\n", 1e300 * 10, 123456789.0123, 1.0 / 0.0, -1.0 / 0.0);
    printf("nan %d %d\n", isnan(0.0 / 0.0 * c) != 0, isinf(1e308 * c) != 0);
    volatile float fs = 1.1f, ft = 3.3f;
    printf("float %.9g %.9g %.9g\n", (double)(fs * ft), (double)(fs / ft), (double)sqrtf(ft));
    printf("libm %.12g %.12g %.12g %.12g %.12g %.12g\n", sin(1.0), cos(2.0), exp(1.5), log(10.0), pow(2.0, 0.5), atan2(1.0, 3.0));
    printf("fmod %.17g floor %.17g ceil %.17g trunc %.17g round %.17g\n", fmod(10.5, 3.0), floor(-2.5), ceil(-2.5), trunc(-2.7), round(2.5));
    volatile double big = 3e9, neg = -7.9;
    printf("conv %d %" PRId64 " %u %d\n", (int)neg, (int64_t)big, (unsigned)big, (int)(float)2.75);
    volatile int64_t i64 = -1234567890123LL;
    printf("i2d %.17g %.9g\n", (double)i64, (double)(float)i64);
    printf("strtod %.17g %.17g\n", strtod("2.718281828459045", NULL), strtod("1e-310", NULL));
    printf("fma %.17g\n", fma(1.0 + 0x1p-30, 1.0 - 0x1p-30, -1.0));
    /* Rounding modes: the same division rounded four ways, and rint. */
    int modes[] = {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};
    const char *names[] = {"nearest", "up", "down", "zero"};
    for (int i = 0; i < 4; i++) {
        fesetround(modes[i]);
        volatile double q = 1.0 / c, r = -1.0 / c, half = 2.5, neghalf = -3.5;
        printf("%s %.17g %.17g %.1f %.1f\n", names[i], q, r, rint(half), rint(neghalf));
    }
    fesetround(FE_TONEAREST);
    feclearexcept(FE_ALL_EXCEPT);
    volatile double z = 0.0;
    volatile double t = 1.0 / z;
    printf("flags divbyzero %d", fetestexcept(FE_DIVBYZERO) != 0);
    feclearexcept(FE_ALL_EXCEPT);
    t = a + b;
    printf(" inexact %d", fetestexcept(FE_INEXACT) != 0);
    feclearexcept(FE_ALL_EXCEPT);
    t = z / z;
    printf(" invalid %d", fetestexcept(FE_INVALID) != 0);
    feclearexcept(FE_ALL_EXCEPT);
    t = 1e308 * c;
    printf(" overflow %d\n", fetestexcept(FE_OVERFLOW) != 0);
    (void)t;
    double sum = 0;
    for (int i = 1; i <= 100000; i++) sum += 1.0 / ((double)i * i);
    printf("basel %.15f\n", sum);
    return 0;
}
