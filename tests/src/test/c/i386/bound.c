/*
 * bound (32- and 16-bit operands): an index inside its limits passes, one outside raises #BR,
 * which Linux delivers as SIGSEGV with si_code SI_KERNEL at the bound instruction itself
 * (trapno is not printed: Debian's QEMU 7.2 reports -1 where Linux gives 5).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <ucontext.h>

static sigjmp_buf back;
static volatile unsigned long fault_eip;
static volatile int fault_code;

static void on_segv(int sig, siginfo_t *info, void *context) {
    ucontext_t *uc = context;
    fault_eip = uc->uc_mcontext.gregs[REG_EIP];
    fault_code = info->si_code;
    (void) sig;
    siglongjmp(back, 1);
}

extern char bound32_insn[], bound16_insn[];

static int check32(int index, int limits[2]) {
    if (sigsetjmp(back, 1)) {
        printf("32-bit %d in [%d,%d]: #BR si_code %d at bound %s\n", index, limits[0], limits[1],
               fault_code, fault_eip == (unsigned long) bound32_insn ? "yes" : "no");
        return 0;
    }
    __asm__ volatile(".globl bound32_insn\nbound32_insn: bound %0, %1" : : "r"(index), "m"(*(long long *) limits));
    printf("32-bit %d in [%d,%d]: passes\n", index, limits[0], limits[1]);
    return 1;
}

static int check16(short index, short limits[2]) {
    if (sigsetjmp(back, 1)) {
        printf("16-bit %d in [%d,%d]: #BR si_code %d at bound %s\n", index, limits[0], limits[1],
               fault_code, fault_eip == (unsigned long) bound16_insn ? "yes" : "no");
        return 0;
    }
    __asm__ volatile(".globl bound16_insn\nbound16_insn: boundw %0, %1" : : "r"(index), "m"(*(int *) limits));
    printf("16-bit %d in [%d,%d]: passes\n", index, limits[0], limits[1]);
    return 1;
}

int main(void) {
    struct sigaction sa = {0};
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    int limits[2] = {-5, 100};
    int values[] = {-6, -5, 0, 100, 101, -2147483647 - 1};
    for (unsigned i = 0; i < sizeof values / sizeof values[0]; i++) {
        check32(values[i], limits);
    }
    short limits16[2] = {-300, 300};
    short values16[] = {-301, -300, 7, 300, 301};
    for (unsigned i = 0; i < sizeof values16 / sizeof values16[0]; i++) {
        check16(values16[i], limits16);
    }
    return 0;
}
