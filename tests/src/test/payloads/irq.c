#include "lib.h"

/* PIT channel 0 and COM1 interrupts through the 8259 pair, remapped to vectors 0x20-0x2f. */

static struct gate idt[256];
static struct { u16 limit; u32 base; } __attribute__((packed)) idtr;
volatile u32 timer_ticks, serial_irqs, spurious;

extern void timer_stub(void), serial_stub(void), other_stub(void);
__asm__(".globl timer_stub\ntimer_stub: pusha\ncall timer_handler\npopa\niret\n"
        ".globl serial_stub\nserial_stub: pusha\ncall serial_handler\npopa\niret\n"
        ".globl other_stub\nother_stub: pusha\ncall other_handler\npopa\niret\n");

void timer_handler(void) {
    timer_ticks++;
    outb(0x20, 0x20);
}

void serial_handler(void) {
    u8 iir = inb(0x3fa);         /* reading IIR acknowledges the THRE interrupt */
    if ((iir & 0x0f) == 0x02) {
        serial_irqs++;
        outb(0x3f9, 0x00);       /* one is enough: disable further THRE interrupts */
    }
    outb(0x20, 0x20);
}

void other_handler(void) {
    spurious++;
    outb(0xa0, 0x20);
    outb(0x20, 0x20);
}

static void set_gate(int v, void (*f)(void)) {
    idt[v] = gate_to((u32) f, 0x08, 0x8e);
}

void payload_main(void) {
    serial_init();
    for (int v = 0; v < 256; v++) {
        set_gate(v, other_stub);
    }
    set_gate(0x20, timer_stub);
    set_gate(0x24, serial_stub);
    idtr.limit = sizeof idt - 1;
    idtr.base = (u32) idt;
    __asm__ volatile("lidt %0" : : "m"(idtr));
    /* ICW1-4: edge, cascade, vectors 0x20 and 0x28, 8086 mode. */
    outb(0x20, 0x11); outb(0xa0, 0x11);
    outb(0x21, 0x20); outb(0xa1, 0x28);
    outb(0x21, 0x04); outb(0xa1, 0x02);
    outb(0x21, 0x01); outb(0xa1, 0x01);
    outb(0x21, (u8) ~((1 << 0) | (1 << 4)));
    outb(0xa1, 0xff);
    /* PIT channel 0, mode 2, 1193 -> about 1 kHz. */
    outb(0x43, 0x34);
    outb(0x40, 1193 & 0xff);
    outb(0x40, 1193 >> 8);
    __asm__ volatile("sti");
    while (timer_ticks < 20) {
        __asm__ volatile("hlt");
    }
    puts("timer interrupts: at least 20\n");
    outb(0x3fc, 0x0b);           /* OUT2 gates the UART interrupt onto the ISA line */
    outb(0x3f9, 0x02);           /* THRE interrupt: the transmitter is empty, so it fires at once */
    for (u32 wait = timer_ticks + 200; serial_irqs == 0 && timer_ticks < wait;) {
        __asm__ volatile("hlt");
    }
    __asm__ volatile("cli");
    puts(serial_irqs ? "serial interrupt: ok\n" : "serial interrupt: MISSING\n");
    puts("irq ok\n");
}
