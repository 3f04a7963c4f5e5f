/* Calls the three entry points of the legacy vsyscall page, as old static binaries do. */
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

int main(void) {
    int (*vgettimeofday)(struct timeval *, void *) = (void *) 0xffffffffff600000UL;
    time_t (*vtime)(time_t *) = (void *) 0xffffffffff600400UL;
    long (*vgetcpu)(unsigned *, unsigned *, void *) = (void *) 0xffffffffff600800UL;
    struct timeval tv;
    time_t t = 0;
    unsigned cpu = 99, node = 99;
    int r = vgettimeofday(&tv, 0);
    time_t now = vtime(&t);
    long c = vgetcpu(&cpu, &node, 0);
    printf("gettimeofday %d plausible %d\n", r, tv.tv_sec > 1600000000 && tv.tv_usec < 1000000);
    printf("time agrees %d\n", now == t && now - tv.tv_sec < 100);
    printf("getcpu %ld cpu-set %d node %u\n", c, cpu != 99, node);
    return 0;
}
