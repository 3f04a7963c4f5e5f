/*
 * Fork cost for the user-mode emulators: touches a heap of the given size (MiB, default 8),
 * then forks N times (default 5); each child exits at once and the parent waits for it.
 * Prints the average milliseconds per fork+exit+wait as measured by the guest itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int forks = argc > 1 ? atoi(argv[1]) : 5;
    size_t heap = (size_t)(argc > 2 ? atoi(argv[2]) : 8) << 20;
    char *p = malloc(heap);
    memset(p, 1, heap);
    struct timeval a, b;
    gettimeofday(&a, 0);
    for (int i = 0; i < forks; i++) {
        pid_t pid = fork();
        if (pid == 0) _exit(p[i] + 41);
        int status;
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 42) {
            printf("bad child status\n");
            return 1;
        }
    }
    gettimeofday(&b, 0);
    double ms = ((b.tv_sec - a.tv_sec) * 1e3 + (b.tv_usec - a.tv_usec) / 1e3) / forks;
    printf("%d forks, %.1f ms per fork\n", forks, ms);
    return 0;
}
