/*
 * A program reading its own /proc/self/maps: which line holds its stack, its code, its heap, a
 * file it mapped (name and offset), an anonymous mapping before and after an mprotect of half
 * of it, and a MAP_SHARED anonymous one. Prints what it finds, not addresses (they differ
 * between runs and machines); the native run is the oracle. Under an emulator that shows its
 * own map (the JVM's), none of these is found.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static char maps[1 << 20];
static char exe[4096];

/* The line of the map that holds address a: its permissions, offset and name. */
static void describe(const char *what, unsigned long a) {
    char *line = maps;
    while (*line) {
        char *end = strchr(line, '\n');
        unsigned long lo, hi, offset;
        char perms[8], name[512] = "";
        int at = 0;
        if (sscanf(line, "%lx-%lx %7s %lx %*s %*s%n", &lo, &hi, perms, &offset, &at) >= 4 && a >= lo && a < hi) {
            /* the name, if any, after the inode's spaces and up to the end of this line */
            char *from = line + at, *stop = end ? end : line + strlen(line);
            while (from < stop && *from == ' ') {
                from++;
            }
            snprintf(name, sizeof name, "%.*s", (int)(stop - from), from);
            /* the program's own file by that description: its builds for each target differ in name */
            printf("%s: %s offset %#lx name \"%s\"\n", what, perms, offset, strcmp(name, exe) == 0 ? "<the program>" : name);
            return;
        }
        if (!end) {
            break;
        }
        line = end + 1;
    }
    printf("%s: not found\n", what);
}

static void readMaps(void) {
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    size_t n = 0;
    ssize_t r;
    while (fd >= 0 && (r = read(fd, maps + n, sizeof maps - 1 - n)) > 0) {
        n += (size_t)r;
    }
    maps[n] = 0;
    if (fd >= 0) {
        close(fd);
    }
}

int main(int argc, char **argv) {
    int local = argc;
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[len > 0 ? len : 0] = 0;
    char *small = malloc(64);
    int fd = open("/proc/self/exe", O_RDONLY);
    char *file = mmap(0, 4096, PROT_READ, MAP_PRIVATE, fd, 4096);
    close(fd);
    char *anon = mmap(0, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *shared = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    mprotect(anon, 2 * 4096, PROT_READ);
    readMaps();
    describe("stack", (unsigned long)&local);
    describe("code", (unsigned long)&main);
    describe("small malloc", (unsigned long)small);
    describe("file page", (unsigned long)file);
    describe("anonymous, read-only half", (unsigned long)anon);
    describe("anonymous, writable half", (unsigned long)anon + 3 * 4096);
    describe("shared anonymous", (unsigned long)shared);
    return local == 1 ? 0 : 2;
}
