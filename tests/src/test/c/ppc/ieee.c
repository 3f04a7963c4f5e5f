/* IEEE-754 basic operations in all four rounding modes over pseudo-random operands, including
   tiny, huge and halfway cases: every result is exactly defined by the standard, so a native
   x86-64 build (SSE) is an exact oracle. Prints one checksum of result bits per operation and mode,
   and one of the exception flags (inexact, overflow, divide by zero, invalid) each operation raised. */
#include <fenv.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <inttypes.h>

static uint64_t state = 88172645463325252ULL;
static uint64_t next(void) { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state; }

static double operand(void) {
    uint64_t r = next();
    int kind = (int)(r % 8);
    double d;
    uint64_t bits = next();
    memcpy(&d, &bits, 8);
    if (kind < 4 && (isnan(d) || isinf(d))) d = 1.0;
    switch (kind) {
        case 4: d = (double)(int32_t)next() / 7.0; break;
        case 5: d = ldexp((double)(next() >> 11), -1074 + (int)(r % 60)); break; /* near the subnormal range */
        case 6: d = ldexp(1.0 + (double)(next() >> 12) * 0x1p-52, 900 + (int)(r % 120)); break; /* near overflow */
        case 7: d = (double)(next() % 1000) + 0.5; break; /* halfway-ish */
    }
    return (r >> 32) & 1 ? -d : d;
}

/* Sticky exception flags an operation raised (underflow left out: x86 detects tininess after
   rounding, PowerPC before, so the two may legitimately disagree). */
#define FLAGS(expr) (feclearexcept(FE_ALL_EXCEPT), (void)(expr), portable(fetestexcept(FE_ALL_EXCEPT)))

/* FE_* values differ between architectures: map them to fixed bits. */
static uint64_t portable(int f) {
    return (f & FE_INEXACT ? 1 : 0) | (f & FE_OVERFLOW ? 2 : 0) | (f & FE_DIVBYZERO ? 4 : 0) | (f & FE_INVALID ? 8 : 0);
}

static uint64_t bits(double d) { uint64_t b; memcpy(&b, &d, 8); if (isnan(d)) b = 0x7ff8; return b; }
static uint64_t fbits(float f) { uint32_t b; memcpy(&b, &f, 4); if (isnan(f)) b = 0x7fc0; return b; }

int main(void) {
    int modes[] = {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};
    const char *names[] = {"nearest", "up", "down", "zero"};
    for (int m = 0; m < 4; m++) {
        uint64_t sum[10] = {0};
        uint64_t flags[6] = {0};
        state = 88172645463325252ULL;
        fesetround(modes[m]);
        for (int i = 0; i < 4000; i++) {
            volatile double a = operand(), b = operand(), c = operand();
            volatile float fa = (float)a, fb = (float)b;
            sum[0] = sum[0] * 31 + bits(a + b);
            sum[1] = sum[1] * 31 + bits(a - b);
            sum[2] = sum[2] * 31 + bits(a * b);
            sum[3] = sum[3] * 31 + bits(a / b);
            sum[4] = sum[4] * 31 + bits(sqrt(fabs(a)));
            sum[5] = sum[5] * 31 + bits(fma(a, b, c));
            sum[6] = sum[6] * 31 + fbits(fa * fb) + fbits(fa + fb);
            sum[7] = sum[7] * 31 + fbits(fa / fb);
            sum[8] = sum[8] * 31 + fbits((float)a);
            sum[9] = sum[9] * 31 + (uint64_t)(int64_t)(isnan(a) || fabs(a) > 2e9 ? 0 : (int32_t)rint(a));
            volatile double r;
            flags[0] = flags[0] * 7 + FLAGS(r = a + b);
            flags[1] = flags[1] * 7 + FLAGS(r = a * b);
            flags[2] = flags[2] * 7 + FLAGS(r = a / b);
            flags[3] = flags[3] * 7 + FLAGS(r = b / (a - a));
            flags[4] = flags[4] * 7 + FLAGS(r = sqrt(a));
            flags[5] = flags[5] * 7 + FLAGS(r = (a - a) / (b - b));
            (void)r;
        }
        printf("%-7s", names[m]);
        for (int k = 0; k < 10; k++) printf(" %016" PRIx64, sum[k]);
        printf("\n%-7s", "flags");
        for (int k = 0; k < 6; k++) printf(" %016" PRIx64, flags[k]);
        printf("\n");
    }
    fesetround(FE_TONEAREST);
    return 0;
}
