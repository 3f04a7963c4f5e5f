/* fork, pipes, waitpid, exit statuses, a child killed by a signal, execve. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "child") == 0) {
        printf("exec'd child argv[2]=%s\n", argv[2]);
        return 5;
    }
    int p[2];
    pipe(p);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        const char *msg = "hello from child";
        write(p[1], msg, strlen(msg));
        _exit(3);
    }
    close(p[1]);
    char buf[64] = {0};
    int n = read(p[0], buf, sizeof buf - 1);
    int status;
    waitpid(pid, &status, 0);
    printf("parent read %d [%s] exited %d status %d\n", n, buf, WIFEXITED(status), WEXITSTATUS(status));
    int counter = 100;
    pid = fork();
    if (pid == 0) { counter++; printf("child counter %d\n", counter); fflush(stdout); _exit(0); }
    waitpid(pid, &status, 0);
    printf("parent counter %d\n", counter);
    pid = fork();
    if (pid == 0) { pause(); _exit(0); }
    kill(pid, SIGTERM);
    waitpid(pid, &status, 0);
    printf("signaled %d sig %d\n", WIFSIGNALED(status), WTERMSIG(status));
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        execl("/proc/self/exe", argv[0], "child", "arg", (char *)NULL);
        _exit(99);
    }
    waitpid(pid, &status, 0);
    printf("exec status %d\n", WEXITSTATUS(status));
    for (int i = 0; i < 3; i++) {
        if (fork() == 0) _exit(10 + i);
    }
    int total = 0;
    for (int i = 0; i < 3; i++) { wait(&status); total += WEXITSTATUS(status); }
    printf("three children total %d\n", total);
    return 0;
}
