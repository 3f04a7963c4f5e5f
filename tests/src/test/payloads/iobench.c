#include "lib.h"

/* Port-I/O exit benchmark: COUNT writes to port 0x80 (count=N on the command line), then reset.
 * port=0x61 (97) writes the speaker port instead, which an in-kernel PIT serves without leaving
 * the kernel: the kernel's own exit cost, to compare the user-space exits with. */

void payload_main(void) {
    serial_init();
    u32 count = cmdline_number("count", 100000);
    u16 port = (u16) cmdline_number("port", 0x80);
    puts("iobench: start\n");
    for (u32 i = 0; i < count; i++) {
        outb(port, (u8) (port == 0x61 ? 0 : i));
    }
    puts("iobench: ");
    putdec(count);
    puts(" port writes done\n");
}
