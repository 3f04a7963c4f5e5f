/*
 * 16-byte SSE loads and stores through one base register (glibc's memcpy shape: movups/movaps
 * at 0, 16, 32, 48 from one pointer), where the translator checks the page once for the group:
 * copies across alignments and lengths against a byte-wise reference, then the faults such a
 * group can meet, each after the same code ran hot on good memory: a pair of loads whose second
 * half lies in a PROT_NONE page (the first load lands, the second faults), a pair of stores whose
 * second runs into a read-only page (the first store lands, the second writes nothing), and
 * movaps at a misaligned address (#GP). The signal handler prints what it sees and steps over
 * the faulting instruction. Prints what happened; the native run is the oracle.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

/* the lengths of the instructions expected to fault, in order */
static volatile int skips[4], next_skip;

static void handler(int sig, siginfo_t *si, void *context) {
    ucontext_t *uc = context;
    greg_t *g = uc->uc_mcontext.gregs;
    printf("  signal %d code %d trapno %lld err %#llx\n", sig, si->si_code, (long long)g[REG_TRAPNO],
           (long long)g[REG_ERR]);
    g[REG_RIP] += skips[next_skip++ & 3];
}

/* 64 bytes from s to d in four unaligned loads and four unaligned stores, one pointer each */
__attribute__((noinline)) static void copy64(char *d, const char *s) {
    __asm__ volatile("movups (%1), %%xmm0; movups 16(%1), %%xmm1; movups 32(%1), %%xmm2; movups 48(%1), %%xmm3;"
                     "movups %%xmm0, (%0); movups %%xmm1, 16(%0); movups %%xmm2, 32(%0); movups %%xmm3, 48(%0)"
                     : : "r"(d), "r"(s) : "xmm0", "xmm1", "xmm2", "xmm3", "memory");
}

/* glibc's backward loop: four loads, four aligned stores, both pointers down by 64 */
__attribute__((noinline)) static void copy_down(char *d_end, const char *s_end, long blocks) {
    __asm__ volatile("1: sub $64, %1; sub $64, %0;"
                     "movups 48(%1), %%xmm0; movups 32(%1), %%xmm1; movups 16(%1), %%xmm2; movups (%1), %%xmm3;"
                     "movaps %%xmm0, 48(%0); movaps %%xmm1, 32(%0); movaps %%xmm2, 16(%0); movaps %%xmm3, (%0);"
                     "dec %2; jnz 1b"
                     : "+r"(d_end), "+r"(s_end), "+r"(blocks) : : "xmm0", "xmm1", "xmm2", "xmm3", "memory");
}

/* xmm0 from p, xmm1 from p + 16 (movups (%rdi): 3 bytes, movups 16(%rdi): 4), both out to o */
__attribute__((noinline)) static void load_pair(const char *p, unsigned char *o) {
    __asm__ volatile("pxor %%xmm0, %%xmm0; pxor %%xmm1, %%xmm1; movups (%%rdi), %%xmm0; movups 16(%%rdi), %%xmm1;"
                     "movups %%xmm0, (%%rsi); movups %%xmm1, 16(%%rsi)"
                     : : "D"(p), "S"(o) : "xmm0", "xmm1", "memory");
}

/* 32 bytes from i to q: movups %xmm0, (%rdi) is 3 bytes, movups %xmm1, 16(%rdi) 4 */
__attribute__((noinline)) static void store_pair(char *q, const unsigned char *i) {
    __asm__ volatile("movups (%%rsi), %%xmm0; movups 16(%%rsi), %%xmm1; movups %%xmm0, (%%rdi); movups %%xmm1, 16(%%rdi)"
                     : : "D"(q), "S"(i) : "xmm0", "xmm1", "memory");
}

/* movaps (%rdi) is 3 bytes, movaps 16(%rdi) 4 */
__attribute__((noinline)) static void aligned_pair(const char *p, unsigned char *o) {
    __asm__ volatile("pxor %%xmm0, %%xmm0; pxor %%xmm1, %%xmm1; movaps (%%rdi), %%xmm0; movaps 16(%%rdi), %%xmm1;"
                     "movups %%xmm0, (%%rsi); movups %%xmm1, 16(%%rsi)"
                     : : "D"(p), "S"(o) : "xmm0", "xmm1", "memory");
}

static unsigned sum(const unsigned char *p, int n) {
    unsigned h = 2166136261u;
    for (int i = 0; i < n; i++) {
        h = (h ^ p[i]) * 16777619u;
    }
    return h;
}

static void show(const char *what, const unsigned char *p, int n) {
    printf("%s:", what);
    for (int i = 0; i < n; i++) {
        printf(" %02x", p[i]);
    }
    printf("\n");
}

int main(void) {
    static unsigned char src[4096] __attribute__((aligned(64)));
    static unsigned char dst[4096] __attribute__((aligned(64)));
    static unsigned char ref[4096] __attribute__((aligned(64)));
    for (int i = 0; i < 4096; i++) {
        src[i] = (unsigned char)(i * 7 + (i >> 5));
    }
    /* every source alignment, many rounds: hot enough that the blocks run translated */
    unsigned acc = 0;
    for (int round = 0; round < 3000; round++) {
        int so = round % 64, doff = (round * 5) % 64;
        memset(dst, 0, 256);
        copy64((char *)dst + doff, (const char *)src + so);
        acc = acc * 31 + sum(dst, 256);
    }
    printf("copy64 %08x\n", acc);
    acc = 0;
    for (int round = 0; round < 3000; round++) {
        long blocks = 1 + round % 12;
        int so = round % 48;
        memset(dst, 0, 1024);
        memset(ref, 0, 1024);
        copy_down((char *)dst + 64 + 64 * blocks, (const char *)src + so + 64 * blocks, blocks);
        memcpy(ref + 64, src + so, 64 * blocks);
        if (memcmp(dst, ref, 1024) != 0) {
            printf("copy_down differs at round %d\n", round);
            return 1;
        }
        acc = acc * 31 + sum(dst, 1024);
    }
    printf("copy_down %08x\n", acc);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, 0);
    sigaction(SIGBUS, &sa, 0);

    /* a read-write page, then a page that is PROT_NONE and then read-only */
    char *pages = mmap(0, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memcpy(pages, src, 4096);
    mprotect(pages + 4096, 4096, PROT_NONE);
    unsigned char out[32];
    for (int round = 0; round < 20000; round++) {
        load_pair(pages + (round % 256) * 8, out);
        acc += out[round % 32];
    }
    printf("load_pair hot %u\n", acc);
    skips[0] = 4;
    next_skip = 0;
    printf("loads: the second half in a PROT_NONE page\n");
    memset(out, 0xee, sizeof out);
    load_pair(pages + 4096 - 24, out);
    show("  xmm0 xmm1", out, 32);

    mprotect(pages + 4096, 4096, PROT_READ);
    unsigned char in[32];
    for (int i = 0; i < 32; i++) {
        in[i] = (unsigned char)(0xa0 + i);
    }
    for (int round = 0; round < 20000; round++) {
        store_pair(pages + (round % 256) * 8, in);
    }
    memcpy(pages + 4096 - 64, src, 64);
    next_skip = 0;
    printf("stores: the second runs into a read-only page\n");
    store_pair(pages + 4096 - 24, in);
    show("  the last 32 bytes of the writable page", (unsigned char *)pages + 4096 - 32, 32);

    for (int round = 0; round < 20000; round++) {
        aligned_pair(pages + (round % 128) * 16, out);
    }
    printf("movaps at an address 8 bytes off alignment\n");
    memset(out, 0xee, sizeof out);
    skips[0] = 3;
    skips[1] = 4;
    next_skip = 0;
    aligned_pair(pages + 8, out);
    show("  xmm0 xmm1", out, 32);
    printf("done\n");
    return 0;
}
