/* fcntl record locks: the parent locks regions, a forked child sees them through F_GETLK. */
#define _GNU_SOURCE
#define _LARGEFILE64_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *what, short type, long long start, long long len, int pid_is_parent) {
    const char *t = type == F_RDLCK ? "read" : type == F_WRLCK ? "write" : type == F_UNLCK ? "unlocked" : "?";
    printf("%s: %s start %lld len %lld parent %d\n", what, t, start, len, pid_is_parent);
}

static int child_checks(int fd, pid_t parent) {
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK; fl.l_whence = SEEK_SET; fl.l_start = 0; fl.l_len = 100;
    if (fcntl(fd, F_GETLK, &fl) != 0) { perror("F_GETLK"); return 1; }
    show("getlk", fl.l_type, fl.l_start, fl.l_len, fl.l_pid == parent);

    memset(&fl, 0, sizeof fl);
    fl.l_type = F_RDLCK; fl.l_whence = SEEK_SET; fl.l_start = 50; fl.l_len = 10;
    if (fcntl(fd, F_GETLK, &fl) != 0) { perror("F_GETLK"); return 1; }
    show("free region", fl.l_type, fl.l_start, fl.l_len, 0);

    struct flock64 wide;
    memset(&wide, 0, sizeof wide);
    wide.l_type = F_WRLCK; wide.l_whence = SEEK_SET; wide.l_start = 4999999990LL; wide.l_len = 0;
    if (fcntl(fd, F_GETLK64, &wide) != 0) { perror("F_GETLK64"); return 1; }
    show("getlk64", wide.l_type, wide.l_start, wide.l_len, wide.l_pid == parent);

    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK; fl.l_whence = SEEK_SET; fl.l_start = 15; fl.l_len = 2;
    int r = fcntl(fd, F_SETLK, &fl);
    printf("conflicting setlk %d busy %d\n", r, r != 0 && (errno == EAGAIN || errno == EACCES));

    wide.l_type = F_WRLCK; wide.l_whence = SEEK_SET; wide.l_start = 40; wide.l_len = 5;
    printf("free setlk64 %d\n", fcntl(fd, F_SETLK64, &wide));
    wide.l_type = F_UNLCK;
    printf("unlock64 %d\n", fcntl(fd, F_SETLKW64, &wide));
    return 0;
}

int main(int argc, char **argv) {
    char path[4096];
    snprintf(path, sizeof path, "%s/locked", argc > 1 ? argv[1] : "/tmp");
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) { perror("open"); return 1; }
    char bytes[100];
    memset(bytes, 'x', sizeof bytes);
    write(fd, bytes, sizeof bytes);

    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK; fl.l_whence = SEEK_SET; fl.l_start = 10; fl.l_len = 20;
    printf("setlk %d\n", fcntl(fd, F_SETLK, &fl));
    fl.l_type = F_RDLCK; fl.l_start = 60; fl.l_len = 5;
    printf("setlkw %d\n", fcntl(fd, F_SETLKW, &fl));
    struct flock64 wide;
    memset(&wide, 0, sizeof wide);
    wide.l_type = F_WRLCK; wide.l_whence = SEEK_SET; wide.l_start = 5000000000LL; wide.l_len = 7;
    printf("setlk64 %d\n", fcntl(fd, F_SETLK64, &wide));

    /* Our own locks never conflict with us: F_GETLK reports the region free. */
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK; fl.l_whence = SEEK_SET; fl.l_start = 0; fl.l_len = 0;
    fcntl(fd, F_GETLK, &fl);
    show("own", fl.l_type, fl.l_start, fl.l_len, 0);

    fflush(stdout);
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        int r = child_checks(fd, parent);
        fflush(stdout);
        _exit(r);
    }
    int status;
    waitpid(child, &status, 0);
    printf("child exited %d\n", WEXITSTATUS(status));
    unlink(path);
    return 0;
}
