/* x86_64 workout for the long-mode program test: 128-bit integers (64-bit mul/div, adc/sbb), qsort, libm, long double, printf/strtod, bit builtins. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
static int cmp(const void *a, const void *b) { long x = *(const long *) a, y = *(const long *) b; return (x > y) - (x < y); }
int main(void) {
    unsigned __int128 f = 1;
    for (int i = 1; i <= 30; i++) f *= i;
    printf("30! = %llx%016llx\n", (unsigned long long) (f >> 64), (unsigned long long) f);
    __int128 q = (__int128) f / 1234567891011LL; long long r = (long long) ((__int128) f % 1234567891011LL);
    printf("q=%llx r=%lld\n", (unsigned long long) q, r);
    long a[1000]; unsigned long s = 88172645463325252UL;
    for (int i = 0; i < 1000; i++) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; a[i] = (long) s; }
    qsort(a, 1000, sizeof a[0], cmp);
    printf("min=%ld max=%ld mid=%ld\n", a[0], a[999], a[500]);
    double d = 0; for (int i = 1; i < 100000; i++) d += sin(i) / i;
    long double ld = 1; for (int i = 1; i < 50; i++) ld = ld * 1.1L + 1.0L / i;
    printf("d=%.17g ld=%.21Lg %La exp=%.17g log=%.17g pow=%.17g\n", d, ld, ld, exp(3.7), log(12345.678), pow(2.5, 7.3));
    char buf[256]; snprintf(buf, sizeof buf, "%s-%d-%x", "abc", -42, 0xdeadbeefu);
    printf("%s %zu %s %d\n", buf, strlen(buf), strstr(buf, "dead"), (int) strtol("-123456789", NULL, 10));
    double v = strtod("2.718281828459045e-300", NULL); printf("%.17g %g\n", v, v * 1e300);
    float ff = 3.14159f; printf("%a %f %d\n", ff * 2, (double) ff / 3, (int) (ff * 1000));
    long long bits = 0; for (long long x = 1; x != 0; x <<= 1) bits++; printf("bits=%lld clz=%d ctz=%d pop=%d\n", bits, __builtin_clzll(12345), __builtin_ctzll(1ULL << 40), __builtin_popcountll(0xf0f0f0f0f0f0ULL));
    return 0;
}
