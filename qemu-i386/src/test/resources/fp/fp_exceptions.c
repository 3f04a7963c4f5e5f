/*
 * Unmasked floating-point exceptions: feenableexcept, then 1/0, 0/0 or an overflow must raise
 * SIGFPE with the kernel's si_code (FPE_FLTDIV, FPE_FLTINV, FPE_FLTOVF).
 */
#define _GNU_SOURCE
#include <fenv.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void handler(int sig, siginfo_t *info, void *ctx) {
    (void) ctx;
    printf("caught signal %d code %d\n", sig, info->si_code);
    fflush(stdout);
    _exit(0);
}

int main(int argc, char **argv) {
    struct sigaction sa = {0};
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGFPE, &sa, NULL);
    volatile double zero = 0.0, one = 1.0, big = 1e308;
    int which = argc > 1 ? atoi(argv[1]) : 0;
    int excepts[] = {FE_DIVBYZERO, FE_INVALID, FE_OVERFLOW};
    feenableexcept(excepts[which]);
    volatile double r = which == 0 ? one / zero : which == 1 ? zero / zero : big * big;
    printf("no signal: %g\n", r);
    return 1;
}
