/* pthreads with atomics (lwarx/stwcx.), a mutex, thread-local storage and join results. */
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>

#define THREADS 4
#define ROUNDS 20000

static int atomic_counter;
static long long atomic64;
static int locked_counter;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static __thread int tls_value;

static void *work(void *arg) {
    intptr_t id = (intptr_t)arg;
    tls_value = (int)id * 100;
    for (int i = 0; i < ROUNDS; i++) {
        __atomic_fetch_add(&atomic_counter, 1, __ATOMIC_SEQ_CST);
        pthread_mutex_lock(&lock);
        locked_counter++;
        atomic64 += 3;
        pthread_mutex_unlock(&lock);
    }
    return (void *)(intptr_t)(tls_value + 1);
}

int main(void) {
    pthread_t t[THREADS];
    for (intptr_t i = 0; i < THREADS; i++) {
        if (pthread_create(&t[i], NULL, work, (void *)i) != 0) { perror("pthread_create"); return 1; }
    }
    long results = 0;
    for (int i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        results += (intptr_t)r;
    }
    int expected_cas = 5, got = 0;
    int cas = __atomic_compare_exchange_n(&got, &got, 9, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    printf("atomic %d locked %d sum64 %lld joins %ld tls-main %d cas %d %d\n", atomic_counter, locked_counter,
           atomic64, results, tls_value, cas, got == 9 || expected_cas == 5);
    return 0;
}
