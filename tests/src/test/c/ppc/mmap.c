/* Anonymous and file mappings, mprotect, munmap. argv[1]: a scratch file path. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv) {
    size_t len = 1 << 20;
    unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) { perror("mmap"); return 1; }
    unsigned long sum = 0;
    for (size_t i = 0; i < len; i += 4096) sum += p[i];
    for (size_t i = 0; i < len; i++) p[i] = (unsigned char)(i * 7);
    for (size_t i = 0; i < len; i += 999) sum += p[i];
    printf("anon sum %lu\n", sum);
    if (mprotect(p, 4096, PROT_READ) != 0) { perror("mprotect"); return 1; }
    printf("mprotect read %d\n", p[1]);
    munmap(p, len);
    if (argc > 1) {
        int fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
        const char *text = "mapped file contents\n";
        write(fd, text, strlen(text));
        char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (m == MAP_FAILED) { perror("mmap file"); return 1; }
        printf("file [%.20s]\n", m);
        memcpy(m, "MAPPED", 6);
        msync(m, 4096, MS_SYNC);
        munmap(m, 4096);
        char back[32] = {0};
        pread(fd, back, 20, 0);
        printf("after msync [%s]\n", back);
        close(fd);
        unlink(argv[1]);
    }
    void *fixed = mmap((void *)0x30000000, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("fixed %d\n", fixed == (void *)0x30000000);
    return 0;
}
