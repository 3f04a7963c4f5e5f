/*
 * qsort with a comparator that branches before it returns (it counts its calls and, once in a
 * while, calls out): the shape of a real comparator, which a 64-bit trace must follow through the
 * indirect call as it follows a one-block one. Prints what a wrong trace would change: the sorted
 * order's checksum and the comparator's own counts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned long calls, rare;

__attribute__((noinline)) static void now_and_then(void) {
    rare++;
}

static int by_value(const void *a, const void *b) {
    if ((++calls & 0xffff) == 0) {
        now_and_then();
    }
    uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
    return (x > y) - (x < y);
}

int main(void) {
    size_t n = 100000;
    uint32_t *v = malloc(n * sizeof *v);
    uint64_t seed = 88172645463325252ull, sum = 0;
    for (int round = 0; round < 6; round++) {
        for (size_t i = 0; i < n; i++) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            v[i] = (uint32_t) seed;
        }
        qsort(v, n, sizeof *v, by_value);
        for (size_t i = 1; i < n; i++) {
            if (v[i - 1] > v[i]) {
                printf("round %d: out of order at %zu\n", round, i);
                return 1;
            }
        }
        for (size_t i = 0; i < n; i += 101) {
            sum = sum * 31 + v[i];
        }
    }
    printf("checksum %llu, %lu comparisons, %lu rare calls\n", (unsigned long long) sum, calls, rare);
    return 0;
}
