#include "lib.h"

/* Prints the multiboot memory map (flag bit 6): the RAM ranges the loader reports, one a line. */

struct mmap_entry { u32 size; u64 base; u64 length; u32 type; } __attribute__((packed));
extern u32 multiboot_info;

static void put64(u64 v) {
    puthex((u32) (v >> 32), 8);
    puthex((u32) v, 8);
}

void payload_main(void) {
    serial_init();
    u32 *info = (u32 *) multiboot_info;
    if (!(info[0] & (1 << 6))) {
        puts("no memory map\n");
        return;
    }
    u8 *at = (u8 *) info[12];
    u8 *end = at + info[11];
    while (at < end) {
        struct mmap_entry *e = (struct mmap_entry *) at;
        if (e->type == 1) {
            puts("ram ");
            put64(e->base);
            putc(' ');
            put64(e->length);
            putc('\n');
        }
        at += e->size + 4;
    }
    puts("memmap done\n");
}
