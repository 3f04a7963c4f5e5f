/* Start-up benchmark for qemu-ppc: a static hello world, so the run is all emulator start-up. */
#include <stdio.h>

int main(void) {
    puts("hello");
    return 0;
}
