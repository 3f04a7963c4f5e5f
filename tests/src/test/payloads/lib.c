#include "lib.h"

#define COM1 0x3f8

void serial_init(void) {
    outb(COM1 + 1, 0x00);      /* no interrupts */
    outb(COM1 + 3, 0x80);      /* divisor latch */
    outb(COM1 + 0, 0x01);      /* 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);      /* 8N1 */
    outb(COM1 + 2, 0x07);      /* FIFO on, cleared */
    outb(COM1 + 4, 0x03);      /* DTR, RTS */
    putc('\n');                /* firmware may have left a line unfinished ("Booting from ROM..") */
}

void putc(char c) {
    if (c == '\n') {
        putc('\r');
    }
    while ((inb(COM1 + 5) & 0x20) == 0) {
    }
    outb(COM1, (u8) c);
}

void puts(const char *s) {
    while (*s) {
        putc(*s++);
    }
}

void puthex(u32 v, int digits) {
    for (int i = digits - 1; i >= 0; i--) {
        putc("0123456789abcdef"[(v >> (4 * i)) & 0xf]);
    }
}

void putdec(u32 v) {
    char buf[11];
    int n = 0;
    do {
        buf[n++] = (char) ('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) {
        putc(buf[--n]);
    }
}

void reset_machine(void) {
    /* Wait for the controller's input buffer to drain, then pulse the reset line. */
    for (int i = 0; i < 100000 && (inb(0x64) & 0x02); i++) {
    }
    outb(0x64, 0xfe);
    for (;;) {
        __asm__ volatile("cli; hlt");
    }
}

u32 pci_read(int slot, int offset) {
    outl(0xcf8, 0x80000000u | (u32) slot << 11 | (u32) (offset & 0xfc));
    return inl(0xcfc);
}

void pci_write(int slot, int offset, u32 value) {
    outl(0xcf8, 0x80000000u | (u32) slot << 11 | (u32) (offset & 0xfc));
    outl(0xcfc, value);
}

void *memset(void *d, int c, unsigned n) {
    u8 *p = d;
    while (n--) {
        *p++ = (u8) c;
    }
    return d;
}

void *memcpy(void *d, const void *s, unsigned n) {
    u8 *p = d;
    const u8 *q = s;
    while (n--) {
        *p++ = *q++;
    }
    return d;
}

extern u32 multiboot_info;

u32 cmdline_number(const char *name, u32 fallback) {
    const u32 *info = (const u32 *) multiboot_info;
    const char *cmdline = (info[0] & 4) ? (const char *) info[4] : 0;
    for (const char *p = cmdline; p && *p; p++) {
        const char *n = name, *q = p;
        while (*n && *q == *n) {
            n++;
            q++;
        }
        if (*n == 0 && *q == '=') {
            u32 v = 0;
            for (q++; *q >= '0' && *q <= '9'; q++) {
                v = v * 10 + (u32) (*q - '0');
            }
            return v;
        }
    }
    return fallback;
}

void timer_irq0_at_1khz(void) {
    outb(0x20, 0x11); outb(0x21, 0x20); outb(0x21, 4); outb(0x21, 1);
    outb(0xa0, 0x11); outb(0xa1, 0x28); outb(0xa1, 2); outb(0xa1, 1);
    outb(0xa1, 0xff);
    outb(0x43, 0x34); outb(0x40, 0xa9); outb(0x40, 0x04);
    outb(0x21, 0xfe);
}

void serial_and_quiet_pics(void) {
    serial_init();
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
}

static struct { u16 limit; u32 base; } __attribute__((packed)) flat_gdtr;

void load_flat_gdt(u64 *gdt, u32 bytes) {
    gdt[0] = 0;
    gdt[1] = segment(0, 0xfffff, 0x9a, 0xc);
    gdt[2] = segment(0, 0xfffff, 0x92, 0xc);
    flat_gdtr.limit = bytes - 1;
    flat_gdtr.base = (u32) gdt;
    __asm__ volatile("lgdt %0\n ljmp $0x08, $1f\n1: mov $0x10, %%ax\n mov %%ax, %%ds\n mov %%ax, %%es\n"
                     "mov %%ax, %%ss\n mov %%ax, %%fs\n mov %%ax, %%gs" : : "m"(flat_gdtr) : "eax", "memory");
}
