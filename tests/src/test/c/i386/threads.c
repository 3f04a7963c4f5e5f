/* pthreads: mutexes, condition variables, atomics, TLS, join. */
#include <pthread.h>
#include <stdio.h>

#define THREADS 4
#define ROUNDS 20000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long shared_counter;
static int atomic_counter;
static int ready;
static __thread int tls_value;

static void *worker(void *arg) {
    int id = (int)(long)arg;
    tls_value = id * 100;
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&lock);
        shared_counter++;
        pthread_mutex_unlock(&lock);
        __sync_fetch_and_add(&atomic_counter, 1);
    }
    pthread_mutex_lock(&lock);
    ready++;
    pthread_cond_signal(&cond);
    pthread_mutex_unlock(&lock);
    return (void *)(long)(tls_value + id);
}

int main(void) {
    pthread_t t[THREADS];
    tls_value = 7;
    for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, worker, (void *)(long)(i + 1));
    pthread_mutex_lock(&lock);
    while (ready < THREADS) pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    long sum = 0;
    for (int i = 0; i < THREADS; i++) { void *r; pthread_join(t[i], &r); sum += (long)r; }
    printf("mutex counter %ld atomic %d joined sum %ld main tls %d\n", shared_counter, atomic_counter, sum, tls_value);
    return 0;
}
