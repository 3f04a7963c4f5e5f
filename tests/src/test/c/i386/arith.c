/* Integer and 64-bit arithmetic, printf, setjmp/longjmp, qsort, malloc-heavy code. */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static jmp_buf env;

static void deep(int n) {
    if (n == 0) longjmp(env, 42);
    deep(n - 1);
}

static int cmp(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

struct node { struct node *next; int value; char pad[20]; };

int main(void) {
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < 100000; i++) { h ^= (uint64_t)i; h *= 1099511628211ULL; }
    printf("fnv %llu\n", (unsigned long long)h);
    int64_t a = -123456789012345LL, b = 987654321;
    printf("div %lld mod %lld mul %lld shr %lld\n", (long long)(a / b), (long long)(a % b), (long long)(a * 3), (long long)(a >> 7));
    uint64_t u = 0xfedcba9876543210ULL;
    printf("udiv %llu umod %llu rot %llx\n", (unsigned long long)(u / 12345), (unsigned long long)(u % 12345),
           (unsigned long long)((u << 13) | (u >> 51)));
    unsigned x = 0x80000001u;
    printf("u32 %u %d %x %o\n", x * 7u, (int)x >> 3, x >> 3, x % 1000u);
    printf("fmt [%5d] [%-5d] [%05d] [%+d] [%x] [%X] [%#o] [%s] [%c] [%10.3s]\n", 42, 42, 42, 42, 255, 255, 8, "str", 'z', "abcdef");
    int r = setjmp(env);
    if (r == 0) deep(50); else printf("longjmp %d\n", r);
    int n = 20000;
    int *v = malloc(n * sizeof *v);
    unsigned s = 12345;
    for (int i = 0; i < n; i++) { s = s * 1103515245u + 12345u; v[i] = (int)(s >> 8) % 100000; }
    qsort(v, n, sizeof *v, cmp);
    long long sum = 0;
    for (int i = 0; i < n; i++) sum += (long long)v[i] * (i % 7);
    printf("qsort %d %d %d sum %lld\n", v[0], v[n / 2], v[n - 1], sum);
    free(v);
    struct node *head = NULL;
    for (int round = 0; round < 20; round++) {
        for (int i = 0; i < 5000; i++) {
            struct node *p = malloc(sizeof *p + (i % 64));
            p->value = i; p->next = head; head = p;
        }
        long t = 0;
        while (head) { struct node *p = head; head = p->next; t += p->value; free(p); }
        if (round == 19) printf("malloc total %ld\n", t);
    }
    char *big = malloc(5 << 20);
    memset(big, 7, 5 << 20);
    big = realloc(big, 9 << 20);
    printf("realloc %d %d\n", big[0], big[(5 << 20) - 1]);
    free(big);
    return 0;
}
