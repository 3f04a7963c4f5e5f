/* 64-bit integer and floating-point work the x86-64 ABI does in SSE2 (double, float), x87 (long
 * double) and 64/128-bit integer instructions; printed exactly so any rounding difference shows. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile double vd[] = {1.0, -2.5, 3.141592653589793, 1e-310, 1e308, 0.1, -0.0, 123456789.125};
static volatile float vf[] = {1.0f, -2.5f, 3.1415927f, 1e-40f, 3e38f, 0.1f, 16777217.0f};
static volatile long double vl[] = {1.0L, 3.0L, 0.1L, 1e4000L, -7.25L};
static volatile int64_t vi[] = {0, 1, -1, INT64_MAX, INT64_MIN, 0x123456789abcdefLL, -987654321012LL};

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

int main(void) {
    double dsum = 0;
    for (unsigned i = 0; i < sizeof vd / sizeof vd[0]; i++) {
        double x = vd[i];
        dsum += x / 3.0;
        printf("d %a sqrt %a mul %a trunc %" PRId64 " f %a\n", x, sqrt(fabs(x)), x * 1.0000001,
               (int64_t) (fabs(x) < 9e18 ? x : 0), (double) (float) x);
    }
    printf("dsum %.17g\n", dsum);
    float fsum = 0;
    for (unsigned i = 0; i < sizeof vf / sizeof vf[0]; i++) {
        float x = vf[i];
        fsum += x * 0.3f;
        printf("f %a sqrtf %a div %a d %a\n", (double) x, (double) sqrtf(fabsf(x)), (double) (x / 7.0f), (double) x * 2);
    }
    printf("fsum %.9g\n", (double) fsum);
    for (unsigned i = 0; i < sizeof vl / sizeof vl[0]; i++) {
        long double x = vl[i];
        printf("ld %La div3 %La sqrtl %La to-d %a\n", x, x / 3.0L, sqrtl(fabsl(x)), (double) x);
    }
    long double acc = 1.0L;
    for (int i = 1; i <= 25; i++) {
        acc *= i;
    }
    printf("25! %.0Lf\n", acc);
    for (unsigned i = 0; i < sizeof vi / sizeof vi[0]; i++) {
        int64_t a = vi[i];
        uint64_t u = (uint64_t) a;
        int64_t b = vi[(i + 3) % (sizeof vi / sizeof vi[0])];
        unsigned __int128 p = (unsigned __int128) u * 0x9e3779b97f4a7c15ULL;
        printf("i %" PRId64 " d %a from-u %a", a, (double) a, (double) u);
        printf(" hi %016" PRIx64 " lo %016" PRIx64, (uint64_t) (p >> 64), (uint64_t) p);
        printf(" div %" PRId64 " rem %" PRId64, b != 0 && !(a == INT64_MIN && b == -1) ? a / b : 0,
               b != 0 && !(a == INT64_MIN && b == -1) ? a % b : 0);
        printf(" udiv %" PRIu64 " bswap %016" PRIx64 " clz %d ctz %d pop %d sar %" PRId64 " shr %" PRIx64 "\n",
               u / 7, __builtin_bswap64(u), u ? __builtin_clzll(u) : -1, u ? __builtin_ctzll(u) : -1,
               __builtin_popcountll(u), a >> 13, u >> 61);
    }
    unsigned __int128 big = ((unsigned __int128) 0xfedcba9876543210ULL << 64) | 0x0123456789abcdefULL;
    unsigned __int128 q = big / 0x1234567ULL;
    printf("u128 div %016" PRIx64 "%016" PRIx64 " rem %" PRIu64 "\n", (uint64_t) (q >> 64), (uint64_t) q,
           (uint64_t) (big % 0x1234567ULL));
    double arr[64];
    for (int i = 0; i < 64; i++) {
        arr[i] = sin(i * 1.3) * 1000;
    }
    qsort(arr, 64, sizeof arr[0], cmp_double);
    printf("sorted %.6f %.6f %.6f exp %.15g log %.15g pow %.15g atan2 %.15g\n", arr[0], arr[31], arr[63],
           exp(2.5), log(10.0), pow(2.0, 0.5), atan2(1.0, -2.0));
    printf("strtod %a %a lround %ld rint %a\n", strtod("0.3", NULL), strtod("1e-320", NULL), lround(2.5), rint(-3.5));
    char buf[300];
    memset(buf, 'x', sizeof buf);
    buf[299] = 0;
    printf("strlen %zu memcmp %d strchr %td\n", strlen(buf + 3), memcmp(buf, buf + 1, 200), strchr(buf, 0) - buf);
    return 0;
}
