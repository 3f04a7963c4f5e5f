/* What a 64-bit signal handler sees in its ucontext (rip, fault address, fpregs, sigmask) and
 * what it can change there: the handler moves rip past a faulting instruction and changes a
 * register and an XMM register; sigreturn must bring those back. Also sigaltstack. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

static volatile uintptr_t fault_addr;
static volatile int on_alt;
static char altstack[65536];

static void on_segv(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    fault_addr = (uintptr_t) si->si_addr;
    unsigned char *rip = (unsigned char *) uc->uc_mcontext.gregs[REG_RIP];
    /* the faulting instruction is "mov (%rax),%rax" (48 8b 00): skip it, set rax */
    printf("segv sig %d code %d rip bytes %02x %02x %02x trapno %lld fpregs %s mxcsr %x\n", sig, si->si_code,
           rip[0], rip[1], rip[2], (long long) uc->uc_mcontext.gregs[REG_TRAPNO],
           uc->uc_mcontext.fpregs ? "set" : "null", uc->uc_mcontext.fpregs ? uc->uc_mcontext.fpregs->mxcsr : 0);
    uc->uc_mcontext.gregs[REG_RIP] += 3;
    uc->uc_mcontext.gregs[REG_RAX] = 0x1234;
    uc->uc_mcontext.fpregs->_xmm[0].element[0] = 0x40490fdb; /* 3.14159274f */
    printf("blocked in handler: segv %d usr1 %d\n", sigismember(&uc->uc_sigmask, SIGSEGV),
           sigismember(&uc->uc_sigmask, SIGUSR1));
}

static void on_usr1(int sig) {
    int local;
    on_alt = (char *) &local >= altstack && (char *) &local < altstack + sizeof altstack;
    (void) sig;
}

static void on_ill(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    printf("ill sig %d code %d at-rip %d\n", sig, si->si_code,
           (uintptr_t) si->si_addr == (uintptr_t) uc->uc_mcontext.gregs[REG_RIP]);
    uc->uc_mcontext.gregs[REG_RIP] += 2; /* ud2 */
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaddset(&sa.sa_mask, SIGUSR1);
    sigaction(SIGSEGV, &sa, NULL);
    long result;
    float f;
    __asm__ volatile("movl $0x3f800000, %%ecx\n\tmovd %%ecx, %%xmm0\n\t"
                     "movq $0x7000, %%rax\n\tmov (%%rax), %%rax\n\tmovd %%xmm0, %2"
                     : "=a"(result), "=m"(f), "=m"(f) : : "rcx", "xmm0", "memory");
    printf("fault at %#lx, rax after %#lx, xmm0 after %a\n", (unsigned long) fault_addr, result, (double) f);

    sa.sa_sigaction = on_ill;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGILL, &sa, NULL);
    __asm__ volatile("ud2");
    printf("after ud2\n");

    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    struct sigaction su;
    memset(&su, 0, sizeof su);
    su.sa_handler = on_usr1;
    su.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR1, &su, NULL);
    raise(SIGUSR1);
    printf("usr1 ran on the alternate stack %d\n", on_alt);
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    printf("mask restored: usr1 %d segv %d\n", sigismember(&now, SIGUSR1), sigismember(&now, SIGSEGV));
    return 0;
}
