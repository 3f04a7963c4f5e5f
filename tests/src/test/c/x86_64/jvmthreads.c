/*
 * Prints the name (comm) of every thread of this process, one per line, as /proc/self/task lists
 * them. Under a user-mode emulator that passes /proc/self through (as QEMU does), these are the
 * emulator's own host threads: the test that runs this reads the JVM's threads through a guest.
 */
#include <dirent.h>
#include <stdio.h>

int main(void) {
    DIR *tasks = opendir("/proc/self/task");
    if (tasks == NULL) {
        perror("/proc/self/task");
        return 1;
    }
    struct dirent *e;
    char path[300], name[64];
    while ((e = readdir(tasks)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (f != NULL) {
            if (fgets(name, sizeof name, f) != NULL) {
                fputs(name, stdout);
            }
            fclose(f);
        }
    }
    closedir(tasks);
    return 0;
}
