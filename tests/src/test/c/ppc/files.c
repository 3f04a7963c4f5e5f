/* Files and directories: create, write, read, stat, list, rename, remove. argv[1]: an empty directory. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int names_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
    if (argc < 2 || chdir(argv[1]) != 0) {
        perror("chdir");
        return 2;
    }
    if (mkdir("sub", 0755) != 0) { perror("mkdir"); return 1; }
    for (int i = 0; i < 5; i++) {
        char name[32];
        snprintf(name, sizeof name, "sub/file%d.txt", i);
        FILE *f = fopen(name, "w");
        if (!f) { perror("fopen"); return 1; }
        for (int j = 0; j <= i * 100; j++) fprintf(f, "line %d of %d\n", j, i);
        fclose(f);
    }
    struct stat st;
    if (stat("sub/file3.txt", &st) != 0) { perror("stat"); return 1; }
    printf("size %lld regular %d dir %d\n", (long long)st.st_size, S_ISREG(st.st_mode), S_ISDIR(st.st_mode));
    int fd = open("sub/file4.txt", O_RDONLY);
    char buf[64];
    lseek(fd, 100, SEEK_SET);
    ssize_t n = read(fd, buf, 20);
    buf[n] = 0;
    struct stat fst;
    fstat(fd, &fst);
    printf("read %zd [%s] fstat %lld\n", n, buf, (long long)fst.st_size);
    close(fd);
    DIR *d = opendir("sub");
    if (!d) { perror("opendir"); return 1; }
    char *names[16];
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (count < 16) names[count++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, count, sizeof names[0], names_cmp);
    printf("entries %d:", count);
    for (int i = 0; i < count; i++) printf(" %s", names[i]);
    printf("\n");
    if (rename("sub/file0.txt", "sub/renamed.txt") != 0) { perror("rename"); return 1; }
    printf("access old %d new %d\n", access("sub/file0.txt", F_OK) == 0, access("sub/renamed.txt", R_OK) == 0);
    errno = 0;
    int missing = open("nope", O_RDONLY);
    printf("open missing: %d %s\n", missing, strerror(errno));
    int nonempty = rmdir("sub");
    printf("rmdir nonempty: %d %d\n", nonempty, errno == ENOTEMPTY || errno == EEXIST);
    const char *left[] = {"sub/renamed.txt", "sub/file1.txt", "sub/file2.txt", "sub/file3.txt", "sub/file4.txt"};
    for (int i = 0; i < 5; i++) unlink(left[i]);
    printf("rmdir empty: %d\n", rmdir("sub"));
    char cwd[4096];
    printf("getcwd ok %d\n", getcwd(cwd, sizeof cwd) != NULL && strstr(cwd, argv[1] + (argv[1][0] == '/' ? 1 : 0)) != NULL);
    return 0;
}
