/* Signal handlers (old-style and SA_SIGINFO), masks, and recovering from SIGSEGV with siglongjmp. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t usr1, usr2, usr2_code_ok;
static sigjmp_buf recover;
static volatile void *fault_address;

static void on_usr1(int sig) { usr1 += sig; }

static void on_usr2(int sig, siginfo_t *info, void *uc) {
    (void)uc;
    usr2++;
    usr2_code_ok = info->si_signo == sig && info->si_pid == getpid();
}

static void on_segv(int sig, siginfo_t *info, void *uc) {
    (void)sig; (void)uc;
    fault_address = info->si_addr;
    siglongjmp(recover, 1);
}

int main(void) {
    signal(SIGUSR1, on_usr1);
    raise(SIGUSR1);
    kill(getpid(), SIGUSR1);
    printf("usr1 total %d\n", (int)usr1);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr2;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR2, &sa, NULL);
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR2);
    sigprocmask(SIG_BLOCK, &block, &old);
    kill(getpid(), SIGUSR2);
    sigset_t pending;
    sigpending(&pending);
    printf("blocked: delivered %d pending %d\n", (int)usr2, sigismember(&pending, SIGUSR2));
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("unblocked: delivered %d info ok %d\n", (int)usr2, (int)usr2_code_ok);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    volatile double keep = 1.25;
    if (sigsetjmp(recover, 1) == 0) {
        *(volatile int *)0x1234 = 5;
        printf("no fault?\n");
    }
    printf("recovered from SIGSEGV at %p keep %.2f\n", (void *)fault_address, keep);
    signal(SIGUSR1, SIG_IGN);
    raise(SIGUSR1);
    printf("ignored ok\n");
    return 0;
}
