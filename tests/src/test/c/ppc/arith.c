/* Integer and 64-bit arithmetic whose printed results do not depend on word size or byte order. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_i32(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

int main(void) {
    volatile int32_t a = -123456789, b = 98765;
    printf("i32: %" PRId32 " %" PRId32 " %" PRId32 " %" PRId32 "\n", a + b, a * b, a / b, a % b);
    volatile uint32_t ua = 0xdeadbeefu, ub = 77u;
    printf("u32: %" PRIu32 " %" PRIu32 " %" PRIu32 " %" PRIx32 " %" PRIx32 "\n", ua / ub, ua % ub, ua * ub, ua >> 7, ua << 5);
    volatile int64_t c = -9876543210123LL, d = 1234567LL;
    printf("i64: %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 "\n", c + d, c * d, c / d, c % d, c >> 9);
    volatile uint64_t e = 0xfedcba9876543210ULL, f = 0x123456789ULL;
    printf("u64: %" PRIu64 " %" PRIu64 " %" PRIx64 " %" PRIx64 "\n", e / f, e % f, e * f, (e << 13) ^ (e >> 17));
    int32_t v[64];
    uint32_t x = 2463534242u;
    for (int i = 0; i < 64; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        v[i] = (int32_t)x;
    }
    qsort(v, 64, sizeof v[0], cmp_i32);
    printf("sorted: %" PRId32 " %" PRId32 " %" PRId32 "\n", v[0], v[31], v[63]);
    uint64_t h = 1469598103934665603ULL;
    for (uint32_t i = 0; i < 1000000; i++) {
        h = (h ^ (i & 0xff)) * 1099511628211ULL;
    }
    printf("fnv: %016" PRIx64 "\n", h);
    static char buf[4096];
    memset(buf, 'z', sizeof buf);
    memset(buf + 100, 0, 3000); /* large memset: glibc uses dcbz */
    size_t zeros = 0;
    for (size_t i = 0; i < sizeof buf; i++) zeros += buf[i] == 0;
    memcpy(buf, "hello, world", 13);
    printf("mem: %zu %zu %s %d\n", zeros, strlen(buf), buf, memcmp(buf, "hello, worle", 12) < 0);
    char num[64];
    snprintf(num, sizeof num, "%" PRId64, c);
    printf("strtoll: %lld %lu\n", strtoll(num, NULL, 10), strtoul("4000000000", NULL, 10) % 1000);
    printf("clz: %d %d %d\n", __builtin_clz(1u), __builtin_clzll(1ull << 40), __builtin_popcount(0xf0f0u));
    return 0;
}
