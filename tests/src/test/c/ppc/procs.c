/* poll and select on a pipe, clock_gettime, and execve of the program itself (a new emulator). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <sys/select.h>
#include <poll.h>
#include <time.h>
int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "child") == 0) { printf("exec'd child argv0=%s\n", argv[0]); return 5; }
    int p[2]; pipe(p);
    struct pollfd pf = { p[0], POLLIN, 0 };
    printf("poll empty %d\n", poll(&pf, 1, 0));
    write(p[1], "x", 1);
    int ready = poll(&pf, 1, 0);
    printf("poll ready %d revents %d\n", ready, pf.revents);
    fd_set rs; FD_ZERO(&rs); FD_SET(p[0], &rs);
    struct timeval tv = {0, 0};
    int selected = select(p[0] + 1, &rs, NULL, NULL, &tv);
    printf("select %d isset %d\n", selected, FD_ISSET(p[0], &rs) != 0);
    FD_ZERO(&rs); FD_SET(p[1], &rs);
    tv.tv_usec = 1000;
    selected = select(p[1] + 1, &rs, NULL, NULL, &tv);
    printf("select write-end for reading %d isset %d\n", selected, FD_ISSET(p[1], &rs) != 0);
    struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts);
    printf("clock ok %d\n", ts.tv_sec > 0 || ts.tv_nsec > 0);
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) { execl(argv[0], "renamed", "child", (char *)0); perror("execl"); _exit(9); }
    int st; waitpid(c, &st, 0);
    printf("child status %d\n", WEXITSTATUS(st));
    return 0;
}
