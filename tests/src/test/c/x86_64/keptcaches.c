/*
 * A loop through a call, entered often for a few iterations (the shape whose page caches a
 * 64-bit trace keeps from one run to the next), then the pages it touched change under it: made
 * read-only, unmapped, and turned into code that the loop then rewrites. Each must behave as
 * natively: a fault where the page no longer allows the access, the new code where it was rewritten.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static sigjmp_buf back;
static void *fault_address;

static void on_segv(int sig, siginfo_t *info, void *context) {
    (void) sig;
    (void) context;
    fault_address = info->si_addr;
    siglongjmp(back, 1);
}

__attribute__((noinline)) static int pass(int x) {
    __asm__ volatile("" : "+r"(x));
    return x;
}

__attribute__((noinline)) static void copy_through(int *dst, const int *src, int n) {
    for (int i = 0; i < n; i++) {
        dst[i] = pass(src[i]);
    }
}

/* Runs the loop once and says whether it faulted. */
static int faults(int *dst, const int *src, int n) {
    if (sigsetjmp(back, 1)) {
        return 1;
    }
    copy_through(dst, src, n);
    return 0;
}

int main(void) {
    long page = sysconf(_SC_PAGESIZE);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    int *src = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int *dst = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (src == MAP_FAILED || dst == MAP_FAILED) {
        return 1;
    }
    int *src1 = src + page / sizeof(int), *dst1 = dst + page / sizeof(int);
    for (int i = 0; i < 64; i++) {
        src1[i] = i * 7;
    }
    long sum = 0;
    for (int r = 0; r < 300000; r++) {
        copy_through(dst1 + (r & 7), src1 + (r & 15), 6);
        sum += dst1[r & 7];
    }
    printf("warm: %ld\n", sum);

    mprotect(dst1, page, PROT_READ);
    printf("write to a page made read-only: %s\n", faults(dst1, src1, 6) ? "SIGSEGV" : "no fault");
    mprotect(dst1, page, PROT_READ | PROT_WRITE);
    printf("write after write access is back: %s\n", faults(dst1, src1, 6) ? "SIGSEGV" : "no fault");
    for (int r = 0; r < 100000; r++) {
        copy_through(dst1 + (r & 7), src1 + (r & 15), 6);
    }
    munmap(src1, page);
    printf("read from an unmapped page: %s\n", faults(dst1, src1, 6) ? "SIGSEGV" : "no fault");

    /* a window of two pages never takes in a page that refuses the access: the loop reads on
       from a readable page into one that is not, and faults at the first byte there */
    int *edge = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (edge == MAP_FAILED) {
        return 1;
    }
    mprotect((char *) edge + 2 * page, page, PROT_NONE);
    int *last = (int *) ((char *) edge + 2 * page) - 4;
    for (int r = 0; r < 100000; r++) {
        copy_through(dst1, last, 4);
    }
    printf("read running into a PROT_NONE page: %s", faults(dst1, last, 6) ? "SIGSEGV" : "no fault");
    printf(" at page offset %ld\n", (long) ((char *) fault_address - ((char *) edge + 2 * page)));

    /* the loop writes code into a page, the code runs (that page now holds translated code), and
       the loop rewrites it: the next call must run the new instructions */
    unsigned char *code = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) {
        return 1;
    }
    int *target = (int *) (code + page);
    int words[2];
    for (int value = 1; value <= 3; value++) {
        unsigned char insns[8] = {0xb8, (unsigned char) value, 0, 0, 0, 0xc3, 0x90, 0x90}; /* mov $value, %eax; ret */
        memcpy(words, insns, sizeof words);
        for (int r = 0; r < 20000; r++) {
            copy_through(target, words, 2);
        }
        int (*fn)(void) = (int (*)(void)) (void *) target;
        printf("code written by the loop returns %d\n", fn());
    }
    return 0;
}
