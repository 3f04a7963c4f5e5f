/* Integer-only workout for the x86 translator: printed output must not depend on word size,
 * so a native x86-64 build of this file is an oracle for the i386 build run under emulation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

static uint32_t fnv(const char *s) {
    uint32_t h = 2166136261u;
    while (*s) {
        h = (h ^ (unsigned char) *s++) * 16777619u;
    }
    return h;
}

static int cmp(const void *a, const void *b) {
    int x = *(const int *) a, y = *(const int *) b;
    return (x > y) - (x < y);
}

static uint64_t collatz_steps(uint64_t n) {
    uint64_t steps = 0;
    while (n != 1) {
        n = (n & 1) ? 3 * n + 1 : n / 2;
        steps++;
    }
    return steps;
}

int main(int argc, char **argv) {
    printf("hello from %s with %d args\n", argc > 0 ? "a guest" : "nowhere", argc);
    char buf[256];
    snprintf(buf, sizeof buf, "%d %u %x %ld %lld %llu %llx %5.3s|%-6d|", -42, 4000000000u, 0xdeadbeef,
             -1234567L, -9000000000123LL, 18000000000000000000ULL, 0x123456789abcdefULL, "abcdef", 77);
    puts(buf);
    int values[64];
    uint32_t seed = 12345;
    for (int i = 0; i < 64; i++) {
        seed = seed * 1103515245u + 12345u;
        values[i] = (int) (seed >> 8) - (1 << 22);
    }
    qsort(values, 64, sizeof values[0], cmp);
    printf("sorted: %d %d %d %d\n", values[0], values[1], values[32], values[63]);
    int64_t acc = 0;
    for (int i = 1; i < 2000; i++) {
        acc += (int64_t) values[i % 64] * i / 7 - (acc >> 3) % 1000003;
    }
    printf("acc %lld, %lld %% 97 = %lld, /-13 = %lld\n", (long long) acc, (long long) acc, (long long) (acc % 97),
           (long long) (acc / -13));
    uint64_t total = 0;
    for (uint64_t n = 1; n < 3000; n++) {
        total += collatz_steps(n);
    }
    printf("collatz %llu\n", (unsigned long long) total);
    char text[200];
    strcpy(text, "The quick brown fox jumps over the lazy dog");
    strcat(text, " again and again");
    printf("len %zu chr %s rchr %s cmp %d fnv %08x\n", strlen(text), strchr(text, 'q'), strrchr(text, 'a'),
           strcmp(text, "The quick") > 0, fnv(text));
    memmove(text + 4, text, 20);
    text[30] = 0;
    printf("memmove [%s] memcmp %d\n", text, memcmp(text, "The The quick", 13) == 0);
    long parsed = strtol("-123456", NULL, 10) + strtol("ff", NULL, 16) + atoi("77");
    printf("parsed %ld\n", parsed);
    char *heap = malloc(100000);
    memset(heap, 'x', 99999);
    heap[99999] = 0;
    printf("heap %zu\n", strlen(heap));
    free(heap);
    unsigned bits = 0;
    for (unsigned v = 1; v < 100000; v += 977) {
        bits += __builtin_popcount(v) + __builtin_clz(v) + __builtin_ctz(v);
    }
    printf("bits %u\n", bits);
    return 3;
}
