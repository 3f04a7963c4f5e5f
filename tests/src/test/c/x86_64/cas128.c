/* A 128-bit counter updated with cmpxchg16b by four threads, plus 64-bit atomics and TLS. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>

#define THREADS 4
#define ROUNDS 20000

static unsigned __int128 counter __attribute__((aligned(16)));
static uint64_t adds;
static __thread int mine;

static void *work(void *arg) {
    int id = (int) (intptr_t) arg;
    mine = id * 100;
    for (int i = 0; i < ROUNDS; i++) {
        unsigned __int128 old, next;
        do {
            old = counter;
            /* carry into the high half on purpose: the low half starts near its top */
            next = old + ((unsigned __int128) 1 << 63);
        } while (!__sync_bool_compare_and_swap(&counter, old, next));
        __atomic_fetch_add(&adds, 3, __ATOMIC_SEQ_CST);
    }
    return (void *) (intptr_t) (mine + id);
}

int main(void) {
    pthread_t t[THREADS];
    counter = ((unsigned __int128) 5 << 64) | 0xfffffffffffffff0ULL;
    mine = -1;
    for (int i = 0; i < THREADS; i++) {
        pthread_create(&t[i], NULL, work, (void *) (intptr_t) (i + 1));
    }
    long sum = 0;
    for (int i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        sum += (long) (intptr_t) r;
    }
    printf("counter %016" PRIx64 " %016" PRIx64 "\n", (uint64_t) (counter >> 64), (uint64_t) counter);
    printf("adds %" PRIu64 " thread results %ld main tls %d\n", adds, sum, mine);
    unsigned __int128 expect = 1, desired = 2;
    int swapped = __sync_bool_compare_and_swap(&counter, expect, desired);
    printf("failed swap %d unchanged %d\n", swapped, counter != desired);
    return 0;
}
