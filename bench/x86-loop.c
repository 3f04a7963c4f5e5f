#include <stdio.h>
#include <stdint.h>
int main(void) {
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < 30000000u; i++) {
        h = (h ^ (i & 0xff)) * 16777619u;
        if ((h & 0xfff) == 7) h += i;
    }
    printf("%08x\n", h);
    return 0;
}
