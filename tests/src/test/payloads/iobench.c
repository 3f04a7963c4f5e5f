#include "lib.h"

/* Port-I/O exit benchmark: COUNT writes to port 0x80 (count=N on the command line), then reset. */

extern u32 multiboot_info;

static u32 parse_count(const char *cmdline) {
    for (const char *p = cmdline; p && *p; p++) {
        if (p[0] == 'c' && p[1] == 'o' && p[2] == 'u' && p[3] == 'n' && p[4] == 't' && p[5] == '=') {
            u32 v = 0;
            for (p += 6; *p >= '0' && *p <= '9'; p++) {
                v = v * 10 + (u32) (*p - '0');
            }
            return v;
        }
    }
    return 100000;
}

void payload_main(void) {
    serial_init();
    const u32 *info = (const u32 *) multiboot_info;
    const char *cmdline = (info[0] & 4) ? (const char *) info[4] : 0;
    u32 count = parse_count(cmdline);
    puts("iobench: start\n");
    for (u32 i = 0; i < count; i++) {
        outb(0x80, (u8) i);
    }
    puts("iobench: ");
    putdec(count);
    puts(" port writes done\n");
}
