/* Signal handlers, sigprocmask, SA_SIGINFO, alarm, SIGSEGV and SIGFPE handlers. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got;
static sigjmp_buf jb;
static volatile int info_code, info_signo;

static void on_usr1(int sig) { got += sig; }
static void on_info(int sig, siginfo_t *si, void *uc) { info_signo = si->si_signo; info_code = si->si_code; (void)sig; (void)uc; }
static void on_segv(int sig) { siglongjmp(jb, sig); }
static void on_alarm(int sig) { got = 1000 + sig; }

int main(void) {
    signal(SIGUSR1, on_usr1);
    raise(SIGUSR1);
    printf("after raise got %d\n", (int)got);
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, &old);
    got = 0;
    raise(SIGUSR1);
    printf("blocked got %d\n", (int)got);
    sigset_t pend;
    sigpending(&pend);
    printf("pending %d\n", sigismember(&pend, SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("unblocked got %d\n", (int)got);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_info;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR2, &sa, NULL);
    kill(getpid(), SIGUSR2);
    printf("siginfo signo %d code %d\n", info_signo, info_code);
    signal(SIGSEGV, on_segv);
    int r = sigsetjmp(jb, 1);
    if (r == 0) { *(volatile int *)8 = 1; printf("not reached\n"); }
    else printf("segv caught %d\n", r);
    signal(SIGFPE, on_segv);
    r = sigsetjmp(jb, 1);
    if (r == 0) { volatile int z = 0; printf("%d\n", 10 / z); }
    else printf("fpe caught %d\n", r);
    signal(SIGALRM, on_alarm);
    got = 0;
    alarm(1);
    while (got == 0) pause();
    printf("alarm got %d\n", (int)got);
    signal(SIGPIPE, SIG_IGN);
    int p[2];
    pipe(p);
    close(p[0]);
    printf("write to closed pipe %zd\n", write(p[1], "x", 1));
    return 0;
}
