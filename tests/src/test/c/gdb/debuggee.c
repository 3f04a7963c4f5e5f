/* The program the gdb end-to-end tests debug: a global to read and write, a call to step
   through, a thread, a loop long enough to interrupt, and a fault on request. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

int counter = 41;
volatile unsigned spin;

int add(int a, int b) {
    return a + b;
}

void *worker(void *arg) {
    spin += (unsigned) (long) arg;
    return arg;
}

int main(int argc, char **argv) {
    int x = add(counter, argc);
    printf("result %d counter %d\n", x, counter);
    pthread_t t;
    pthread_create(&t, NULL, worker, (void *) 7L);
    pthread_join(t, NULL);
    long loops = argc > 1 ? atol(argv[1]) : 0;
    for (long i = 0; i < loops; i++) {
        spin++;
    }
    printf("spin %u\n", spin);
    if (argc > 2) {
        *(volatile int *) (long) argc = 1; /* a fault for the debugger to catch */
    }
    return 3;
}
