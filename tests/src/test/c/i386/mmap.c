/* mmap: anonymous, file-backed private and shared, munmap, mprotect, mremap. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    char *a = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("anon zero %d\n", a[12345]);
    memset(a, 'x', 1 << 20);
    a = mremap(a, 1 << 20, 4 << 20, MREMAP_MAYMOVE);
    printf("mremap keeps %c tail %d\n", a[(1 << 20) - 1], a[(3 << 20)]);
    munmap(a, 4 << 20);
    const char *path = "/tmp/qemu-mmap-test.bin";
    int fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0600);
    char block[8192];
    for (int i = 0; i < (int)sizeof block; i++) block[i] = 'a' + i % 26;
    write(fd, block, sizeof block);
    char *p = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, fd, 4096);
    printf("private file [%.5s]\n", p);
    munmap(p, 8192);
    char *s = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    memcpy(s, "SHARED", 6);
    msync(s, 8192, MS_SYNC);
    char back[8] = {0};
    pread(fd, back, 6, 0);
    printf("shared write reached file [%s]\n", back);
    munmap(s, 8192);
    close(fd);
    unlink(path);
    char *q = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    q[0] = 1;
    printf("mprotect %d\n", mprotect(q, 4096, PROT_READ));
    pid_t pid = fork();
    if (pid == 0) { q[0] = 2; _exit(0); }
    int status;
    waitpid(pid, &status, 0);
    printf("write to read-only page: signaled %d sig %d\n", WIFSIGNALED(status), WTERMSIG(status));
    void *fixed = mmap((void *)0x20000000, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("fixed %p\n", fixed);
    return 0;
}
