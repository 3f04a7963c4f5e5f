#include "lib.h"

void payload_main(void) {
    serial_init();
    puts("Hello from a multiboot payload\n");
    puts(multiboot_magic == 0x2badb002 ? "multiboot magic ok\n" : "multiboot magic BAD\n");
    puts("resetting\n");
}
