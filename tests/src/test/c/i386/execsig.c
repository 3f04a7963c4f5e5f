/* execve keeps ignored signals ignored and the signal mask, and resets handled ones. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv) {
    if (argc > 1) {
        struct sigaction sa, st; sigaction(SIGUSR1, NULL, &sa); sigaction(SIGTERM, NULL, &st);
        sigset_t m; sigprocmask(SIG_SETMASK, NULL, &m);
        printf("after exec: usr1 ignored %d, usr2 blocked %d, term default %d\n", sa.sa_handler == SIG_IGN,
               sigismember(&m, SIGUSR2), st.sa_handler == SIG_DFL);
        return 0;
    }
    signal(SIGUSR1, SIG_IGN);
    signal(SIGTERM, SIG_IGN); signal(SIGTERM, SIG_DFL);
    sigset_t m; sigemptyset(&m); sigaddset(&m, SIGUSR2); sigprocmask(SIG_BLOCK, &m, NULL);
    fflush(stdout);
    execl("/proc/self/exe", argv[0], "again", (char *)NULL);
    return 1;
}
