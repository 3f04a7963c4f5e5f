/* Files and directories: open/read/write/lseek/stat/rename/unlink/mkdir/readdir/dup/pipe. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmpstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "/tmp/qemu-files-test";
    char path[512];
    mkdir(dir, 0755);
    if (chdir(dir) != 0) { perror("chdir"); return 1; }
    int fd = open("a.txt", O_CREAT | O_TRUNC | O_WRONLY, 0640);
    for (int i = 0; i < 1000; i++) dprintf(fd, "line %d\n", i);
    close(fd);
    struct stat st;
    stat("a.txt", &st);
    printf("size %lld mode %o reg %d\n", (long long)st.st_size, st.st_mode & 0777, S_ISREG(st.st_mode));
    fd = open("a.txt", O_RDONLY);
    lseek(fd, 100, SEEK_SET);
    char buf[64] = {0};
    read(fd, buf, 20);
    printf("at100 [%.20s] pos %ld\n", buf, (long)lseek(fd, 0, SEEK_CUR));
    off_t end = lseek(fd, 0, SEEK_END);
    printf("end %ld\n", (long)end);
    int d = dup(fd);
    printf("dup pos %ld\n", (long)lseek(d, -5, SEEK_END));
    close(d);
    close(fd);
    mkdir("sub", 0700);
    for (int i = 0; i < 30; i++) {
        snprintf(path, sizeof path, "sub/f%02d", i);
        close(open(path, O_CREAT | O_WRONLY, 0600));
    }
    rename("sub/f00", "sub/renamed");
    unlink("sub/f01");
    symlink("a.txt", "link");
    char target[64] = {0};
    printf("readlink %zd %s\n", readlink("link", target, sizeof target - 1), target);
    lstat("link", &st);
    printf("lstat islnk %d\n", S_ISLNK(st.st_mode));
    DIR *dp = opendir("sub");
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) names[n++] = strdup(e->d_name);
    closedir(dp);
    qsort(names, n, sizeof names[0], cmpstr);
    printf("entries %d:", n);
    for (int i = 0; i < n; i++) printf(" %s", names[i]);
    printf("\n");
    int rc = rmdir("sub");
    printf("rmdir nonempty %d errno %d\n", rc, errno);
    rc = open("nope/x", O_RDONLY);
    printf("open missing %d errno %d\n", rc, errno);
    int p[2];
    pipe(p);
    write(p[1], "through a pipe", 14);
    memset(buf, 0, sizeof buf);
    read(p[0], buf, sizeof buf);
    printf("pipe [%s]\n", buf);
    char cwd[512];
    getcwd(cwd, sizeof cwd);
    printf("cwd ends %s\n", strrchr(cwd, '/'));
    FILE *f = fopen("a.txt", "r");
    int lines = 0;
    while (fgets(buf, sizeof buf, f)) lines++;
    fclose(f);
    printf("lines %d access %d %d\n", lines, access("a.txt", R_OK), access("nope", F_OK));
    truncate("a.txt", 10);
    stat("a.txt", &st);
    printf("truncated %lld\n", (long long)st.st_size);
    for (int i = 0; i < 30; i++) { snprintf(path, sizeof path, "sub/f%02d", i); unlink(path); }
    unlink("sub/renamed");
    rmdir("sub");
    unlink("link");
    unlink("a.txt");
    chdir("/");
    printf("cleanup %d\n", rmdir(dir));
    return 0;
}
