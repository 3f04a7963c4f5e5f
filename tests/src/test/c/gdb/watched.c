/* Debuggee for the watchpoint tests: two globals written and read in a loop. */
#include <stdio.h>

int counter;
int total;

int main(void) {
    for (int i = 0; i < 3; i++) {
        counter += 2;
        total += counter;
    }
    printf("%d %d\n", counter, total);
    return 0;
}
