#include "lib.h"

/* Port-I/O exit benchmark: COUNT writes to port 0x80 (count=N on the command line), then reset. */

void payload_main(void) {
    serial_init();
    u32 count = cmdline_number("count", 100000);
    puts("iobench: start\n");
    for (u32 i = 0; i < count; i++) {
        outb(0x80, (u8) i);
    }
    puts("iobench: ");
    putdec(count);
    puts(" port writes done\n");
}
