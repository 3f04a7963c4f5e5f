/*
 * A signal must reach a program that spins in a hot loop. In our emulator the loop becomes a
 * compiled region that never returns to the run loop by itself, so the region must notice the
 * pending SIGALRM at a backward branch and leave for the handler. Then the same with a loop
 * that calls a function (a region of several blocks with a call and a return inside).
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t fired;

static void on_alarm(int sig) {
    (void) sig;
    fired++;
}

__attribute__((noinline)) static unsigned mix(unsigned h, unsigned i) {
    return (h ^ (i & 0xff)) * 16777619u;
}

int main(void) {
    signal(SIGALRM, on_alarm);
    alarm(1);
    unsigned long spins = 0;
    unsigned h = 2166136261u;
    while (!fired) {
        h = (h ^ (spins & 0xff)) * 16777619u;
        spins++;
    }
    printf("first alarm handled after %s spins\n", spins > 1000 ? "many" : "few");

    alarm(1);
    spins = 0;
    while (fired < 2) {
        h = mix(h, (unsigned) spins);
        spins++;
    }
    printf("second alarm handled after %s calls\n", spins > 1000 ? "many" : "few");
    return h == 42; /* keeps h alive; exit status 0 in practice */
}
