/* telldir/seekdir over a directory of 50 files: seeking back to a saved position resumes at the same entry. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    char path[4096];
    for (int i = 0; i < 50; i++) {
        snprintf(path, sizeof path, "%s/file%02d", dir, i);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0) { perror("open"); return 1; }
        close(fd);
    }
    DIR *d = opendir(dir);
    if (d == NULL) { perror("opendir"); return 1; }
    long positions[64];
    char names[64][32];
    int count = 0;
    for (;;) {
        long at = telldir(d);
        struct dirent *e = readdir(d);
        if (e == NULL) break;
        if (count < 64) {
            positions[count] = at;
            snprintf(names[count], sizeof names[count], "%s", e->d_name);
            count++;
        }
    }
    printf("entries %d\n", count);
    int good = 0;
    for (int i = count - 1; i >= 0; i -= 3) {
        seekdir(d, positions[i]);
        struct dirent *e = readdir(d);
        if (e != NULL && strcmp(e->d_name, names[i]) == 0) good++;
        else printf("entry %d: expected %s got %s\n", i, names[i], e ? e->d_name : "(end)");
    }
    printf("resumed correctly %d of %d\n", good, (count + 2) / 3);
    rewinddir(d);
    int again = 0;
    while (readdir(d) != NULL) again++;
    printf("after rewinddir %d\n", again);
    closedir(d);
    for (int i = 0; i < 50; i++) {
        snprintf(path, sizeof path, "%s/file%02d", dir, i);
        unlink(path);
    }
    return 0;
}
