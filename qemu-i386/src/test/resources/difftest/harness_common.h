/*
 * What the differential-test oracles share: the snippet's code and data pages, turning a
 * snippet's fault into a "TRAP <signal>" line instead of the harness's death, and hex input.
 * Each harness defines CODE_ADDR, DATA_ADDR and DATA_SIZE before including this file.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static sigjmp_buf trap_env;

static void on_trap(int sig) {
    siglongjmp(trap_env, sig);
}

static int hexval(int c) {
    return c <= '9' ? c - '0' : (c | 32) - 'a' + 10;
}

/* Decodes hex pairs up to the first space or the end of the string. */
static size_t unhex(const char *s, unsigned char *out, size_t max) {
    size_t n = 0;
    while (s[0] && s[1] && s[0] != ' ' && n < max) {
        out[n++] = (unsigned char) (hexval(s[0]) << 4 | hexval(s[1]));
        s += 2;
    }
    return n;
}

/* The snippet runs from CODE_ADDR and addresses its data at DATA_ADDR: both fixed, so the
 * translator under test can be given the same addresses. */
static void map_snippet_pages(unsigned char **code, unsigned char **data) {
    *code = mmap((void *) CODE_ADDR, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    *data = mmap((void *) DATA_ADDR, 4096, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (*code == MAP_FAILED || *data == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
}

/* A fault jumps back to the case loop's sigsetjmp; the handler runs on its own stack because
 * a snippet may leave the stack pointer anywhere. */
static void catch_snippet_traps(void) {
    static char altstack[65536];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_trap;
    sa.sa_flags = SA_NODEFER | SA_ONSTACK;
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGTRAP, &sa, NULL);
}

/* The data buffer ends every result line, then the line itself. */
static void print_data_and_end_line(const unsigned char *data) {
    for (int i = 0; i < DATA_SIZE; i++) {
        printf("%02x", data[i]);
    }
    printf("\n");
}
