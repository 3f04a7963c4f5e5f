#include "lib.h"

/*
 * The MC146818 CMOS clock's interrupts on IRQ 8 (through the 8259 pair): the periodic interrupt
 * at register A's rate, the update-ended interrupt, the alarm with "don't care" bytes, and
 * setting the clock with the SET bit as firmware and Linux's hwclock do.
 */

static struct gate idt[256];
static struct { u16 limit; u32 base; } __attribute__((packed)) idtr;
volatile u32 periodic, updates, alarms, flags_seen, others;

static u8 cmos_read(u8 index) {
    outb(0x70, index);
    return inb(0x71);
}

static void cmos_write(u8 index, u8 value) {
    outb(0x70, index);
    outb(0x71, value);
}

void rtc_handler(void) {
    u8 c = cmos_read(0x0c);
    flags_seen |= c;
    if (c & 0x40) periodic++;
    if (c & 0x10) updates++;
    if (c & 0x20) alarms++;
    outb(0xa0, 0x20);
    outb(0x20, 0x20);
}

void other_handler(void) {
    others++;
    outb(0xa0, 0x20);
    outb(0x20, 0x20);
}

extern void rtc_stub(void), other_stub(void);
__asm__(".globl rtc_stub\nrtc_stub: pusha\ncall rtc_handler\npopa\niret\n"
        ".globl other_stub\nother_stub: pusha\ncall other_handler\npopa\niret\n");

static void set_gate(int v, void (*f)(void)) {
    idt[v] = gate_to((u32) f, 0x08, 0x8e);
}

static void say(const char *what, int ok) {
    puts(what);
    puts(ok ? ": yes\n" : ": NO\n");
}

static void wait_for(volatile u32 *counter, u32 target) {
    for (u32 i = 0; i < 100000000u && *counter < target; i++) {
        __asm__ volatile("sti; hlt; cli");
    }
}

static u8 bcd(u32 v) { return (u8) ((v / 10) << 4 | v % 10); }
static u32 unbcd(u8 v) { return (v >> 4) * 10 + (v & 0xf); }

void payload_main(void) {
    serial_init();
    for (int v = 0; v < 256; v++) {
        set_gate(v, other_stub);
    }
    set_gate(0x28, rtc_stub);
    idtr.limit = sizeof idt - 1;
    idtr.base = (u32) idt;
    __asm__ volatile("lidt %0" : : "m"(idtr));
    outb(0x20, 0x11); outb(0xa0, 0x11);
    outb(0x21, 0x20); outb(0xa1, 0x28);
    outb(0x21, 0x04); outb(0xa1, 0x02);
    outb(0x21, 0x01); outb(0xa1, 0x01);
    outb(0x21, (u8) ~(1 << 2));               /* only the cascade on the master */
    outb(0xa1, (u8) ~(1 << 0));               /* only IRQ 8 on the slave */

    cmos_read(0x0c);
    cmos_write(0x0a, 0x26);                  /* 32.768 kHz, rate 6: 1024 Hz */
    cmos_write(0x0b, (u8) ((cmos_read(0x0b) & 0x0f) | 0x40)); /* PIE */
    wait_for(&periodic, 64);
    cmos_write(0x0b, (u8) (cmos_read(0x0b) & ~0x40));
    say("periodic interrupt: 64 received", periodic >= 64);
    say("register C showed IRQF and PF", (flags_seen & 0xc0) == 0xc0);

    cmos_read(0x0c);
    cmos_write(0x0b, (u8) ((cmos_read(0x0b) & 0x0f) | 0x10)); /* UIE */
    wait_for(&updates, 1);
    cmos_write(0x0b, (u8) (cmos_read(0x0b) & ~0x10));
    say("update-ended interrupt", updates >= 1);

    u32 now = unbcd(cmos_read(0x00));
    cmos_write(0x01, bcd((now + 2) % 60));   /* alarm two seconds ahead */
    cmos_write(0x03, 0xc0);                  /* any minute */
    cmos_write(0x05, 0xc0);                  /* any hour */
    cmos_read(0x0c);
    cmos_write(0x0b, (u8) ((cmos_read(0x0b) & 0x0f) | 0x20)); /* AIE */
    wait_for(&alarms, 1);
    cmos_write(0x0b, (u8) (cmos_read(0x0b) & ~0x20));
    say("alarm interrupt", alarms == 1);

    cmos_write(0x0b, (u8) (cmos_read(0x0b) | 0x80)); /* SET: hold the clock while writing it */
    cmos_write(0x00, 0x30);
    cmos_write(0x02, 0x34);
    cmos_write(0x04, 0x12);
    cmos_write(0x07, 0x14);
    cmos_write(0x08, 0x07);
    cmos_write(0x09, 0x09);
    cmos_write(0x32, 0x20);
    cmos_write(0x0b, (u8) (cmos_read(0x0b) & ~0x80));
    puts("clock set to ");
    puthex(cmos_read(0x32), 2);
    puthex(cmos_read(0x09), 2);
    putc('-');
    puthex(cmos_read(0x08), 2);
    putc('-');
    puthex(cmos_read(0x07), 2);
    putc(' ');
    puthex(cmos_read(0x04), 2);
    putc(':');
    puthex(cmos_read(0x02), 2);
    putc('\n');
    say("no other interrupts", others == 0);
    puts("rtc ok\n");
}
