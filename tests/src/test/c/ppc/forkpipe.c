/* fork, pipes, waitpid and exit statuses. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile uintptr_t bad_address = 16;

int main(void) {
    int p[2];
    if (pipe(p) != 0) { perror("pipe"); return 1; }
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        close(p[0]);
        const char *msg = "greetings from the child";
        write(p[1], msg, strlen(msg));
        close(p[1]);
        _exit(7);
    }
    close(p[1]);
    char buf[128];
    ssize_t total = 0, n;
    while ((n = read(p[0], buf + total, sizeof buf - 1 - total)) > 0) total += n;
    buf[total] = 0;
    int status;
    pid_t w = waitpid(child, &status, 0);
    printf("read [%s] waited %d exited %d status %d\n", buf, w == child, WIFEXITED(status), WEXITSTATUS(status));
    pid_t second = fork();
    if (second == 0) {
        *(volatile int *)(uintptr_t)bad_address = 1; /* dies with SIGSEGV */
        _exit(0);
    }
    waitpid(second, &status, 0);
    printf("signaled %d sig %d\n", WIFSIGNALED(status), WTERMSIG(status));
    printf("getpid differs %d\n", getpid() != child);
    return 0;
}
