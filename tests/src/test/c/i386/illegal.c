/* An invalid opcode with no handler: the process dies from SIGILL. */
#include <stdio.h>
int main(void) {
    printf("before\n");
    fflush(stdout);
    __asm__ volatile("ud2");
    printf("after\n");
    return 0;
}
