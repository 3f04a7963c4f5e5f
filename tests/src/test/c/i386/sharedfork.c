/*
 * Memory a process shares with its forked children: MAP_SHARED | MAP_ANONYMOUS pages and a
 * MAP_SHARED file (its descriptor closed before the fork), written by both sides; atomic
 * increments and compare-and-swap loops racing between parent and children on the same words;
 * a process-shared POSIX semaphore (sem_init with pshared, in shared memory) that children wait
 * on and the parent posts, and a process-shared mutex guarding a plain counter. Prints what it
 * sees; the native run is the oracle. (Under an emulator whose forked child is another process
 * with its own copy of every page, the counts come out as the parent's alone, and a child waiting
 * on the semaphore never wakes.)
 */
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILDREN 3
#define ROUNDS 20000

struct shared {
    volatile long added;
    volatile long swapped;
    long guarded;
    sem_t go;
    sem_t done;
    pthread_mutex_t mutex;
    char message[64];
};

int main(void) {
    struct shared *s = mmap(0, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    memset(s, 0, sizeof *s);
    sem_init(&s->go, 1, 0);
    sem_init(&s->done, 1, 0);
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(&s->mutex, &attr);

    /* a shared file mapping whose descriptor is gone before the fork */
    char path[] = "/tmp/sharedfork-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || ftruncate(fd, 4096) != 0) {
        perror("file");
        return 1;
    }
    char *file = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    strcpy(file, "parent wrote this before the fork");

    pid_t pids[CHILDREN];
    for (int c = 0; c < CHILDREN; c++) {
        pids[c] = fork();
        if (pids[c] == 0) {
            sem_wait(&s->go); /* blocks until the parent posts: a wake-up from another process */
            for (int i = 0; i < ROUNDS; i++) {
                __atomic_fetch_add(&s->added, 1, __ATOMIC_SEQ_CST);
                long old = s->swapped;
                while (!__atomic_compare_exchange_n(&s->swapped, &old, old + 2, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
                }
                if (i % 100 == 0) {
                    pthread_mutex_lock(&s->mutex);
                    s->guarded++;
                    pthread_mutex_unlock(&s->mutex);
                }
            }
            if (c == 0) {
                snprintf(s->message, sizeof s->message, "child 0 saw \"%.20s\"", file);
                strcpy(file + 100, "and a child wrote this");
            }
            sem_post(&s->done);
            _exit(0);
        }
    }
    usleep(20000); /* the children are waiting by now (or soon) */
    for (int c = 0; c < CHILDREN; c++) {
        sem_post(&s->go);
    }
    for (int i = 0; i < ROUNDS; i++) {
        __atomic_fetch_add(&s->added, 1, __ATOMIC_SEQ_CST);
        if (i % 100 == 0) {
            pthread_mutex_lock(&s->mutex);
            s->guarded++;
            pthread_mutex_unlock(&s->mutex);
        }
    }
    for (int c = 0; c < CHILDREN; c++) {
        sem_wait(&s->done);
    }
    for (int c = 0; c < CHILDREN; c++) {
        int status;
        waitpid(pids[c], &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            printf("child %d ended badly\n", c);
        }
    }
    printf("added %ld (expected %d)\n", s->added, (CHILDREN + 1) * ROUNDS);
    printf("swapped %ld (expected %d)\n", s->swapped, CHILDREN * ROUNDS * 2);
    printf("guarded %ld (expected %d)\n", s->guarded, (CHILDREN + 1) * (ROUNDS / 100));
    printf("%s\n", s->message);
    printf("file: \"%s\" / \"%s\"\n", file, file + 100);

    /* after munmap and a fresh private mapping at the same place, a child's writes stay its own */
    munmap(s, sizeof *s);
    long *mine = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    *mine = 1;
    pid_t p = fork();
    if (p == 0) {
        *mine = 99;
        _exit(0);
    }
    waitpid(p, 0, 0);
    printf("private page after the child wrote its copy: %ld\n", *mine);
    unlink(path);
    return 0;
}
