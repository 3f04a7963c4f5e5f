#include "lib.h"

/*
 * ACPI power button: finds the PIIX4 power management function (8086:7113) on PCI bus 0, reads
 * its PMBASE (config 0x40) and SCI line (config 0x3C), enables PWRBTN_EN in PM1_EN, waits with
 * hlt for the SCI, clears PWRBTN_STS and powers off by writing SLP_EN with SLP_TYP 0 (S5 on
 * QEMU's PIIX4) to PM1_CNT. If the machine is still running after that it says so and hangs.
 */

#define PM1_STS 0
#define PM1_EN 2
#define PM1_CNT 4
#define PM_TMR 8
#define PWRBTN 0x100
#define SLP_EN 0x2000

static struct gate idt[256];
static struct { u16 limit; u32 base; } __attribute__((packed)) idtr;
static volatile u16 pmbase;
volatile u32 presses, others;

extern void sci_stub(void), other_stub(void);
__asm__(".globl sci_stub\nsci_stub: pusha\ncall sci_handler\npopa\niret\n"
        ".globl other_stub\nother_stub: pusha\ncall other_handler\npopa\niret\n");

void sci_handler(void) {
    u16 status = inw(pmbase + PM1_STS);
    if (status & PWRBTN) {
        outw(pmbase + PM1_STS, PWRBTN);   /* write 1 to clear: drops the SCI */
        presses++;
    }
    outb(0xa0, 0x20);
    outb(0x20, 0x20);
}

void other_handler(void) {
    others++;
    outb(0xa0, 0x20);
    outb(0x20, 0x20);
}

static u32 config_address(int slot, int function, int offset) {
    return 0x80000000u | (u32) slot << 11 | (u32) function << 8 | (u32) (offset & 0xfc);
}

static u32 config_read(int slot, int function, int offset) {
    outl(0xcf8, config_address(slot, function, offset));
    return inl(0xcfc);
}

static void config_write(int slot, int function, int offset, u32 value) {
    outl(0xcf8, config_address(slot, function, offset));
    outl(0xcfc, value);
}

static void set_gate(int v, void (*f)(void)) {
    idt[v] = gate_to((u32) f, 0x08, 0x8e);
}

void payload_main(void) {
    serial_init();
    int slot = -1, function = 0;
    for (int s = 0; s < 32 && slot < 0; s++) {
        for (int f = 0; f < 8; f++) {
            if (config_read(s, f, 0) == 0x71138086u) {
                slot = s;
                function = f;
                break;
            }
        }
    }
    if (slot < 0) {
        puts("no PIIX4 power management function\n");
        return;
    }
    u32 base = config_read(slot, function, 0x40) & 0xffc0;
    if (base == 0 || (config_read(slot, function, 0x80) & 1) == 0) {
        /* no firmware placed it: do what SeaBIOS does on QEMU's pc */
        base = 0x600;
        config_write(slot, function, 0x40, base | 1);
        config_write(slot, function, 0x80, config_read(slot, function, 0x80) | 1);
    }
    pmbase = (u16) base;
    int irq = config_read(slot, function, 0x3c) & 0xff;
    puts("power management at 00:");
    puthex(slot, 2);
    puts(".");
    putdec(function);
    puts(", SCI on IRQ ");
    putdec(irq);
    puts("\n");
    if (irq < 8 || irq > 15) {
        puts("SCI is not on the slave PIC\n");
        return;
    }

    for (int v = 0; v < 256; v++) {
        set_gate(v, other_stub);
    }
    set_gate(0x20 + irq, sci_stub);
    idtr.limit = sizeof idt - 1;
    idtr.base = (u32) idt;
    __asm__ volatile("lidt %0" : : "m"(idtr));
    outb(0x20, 0x11); outb(0xa0, 0x11);
    outb(0x21, 0x20); outb(0xa1, 0x28);
    outb(0x21, 0x04); outb(0xa1, 0x02);
    outb(0x21, 0x01); outb(0xa1, 0x01);
    outb(0x21, (u8) ~(1 << 2));                 /* only the cascade on the master */
    outb(0xa1, (u8) ~(1 << (irq - 8)));          /* only the SCI on the slave */
    outb(0x4d1, inb(0x4d1) | (u8) (1 << (irq - 8)));   /* the SCI is level-triggered */

    outw(pmbase + PM1_STS, PWRBTN);
    outw(pmbase + PM1_EN, inw(pmbase + PM1_EN) | PWRBTN);
    puts("power button armed\n");
    __asm__ volatile("sti");
    while (presses == 0) {
        __asm__ volatile("hlt");
    }
    __asm__ volatile("cli");
    puts("power button pressed, powering off\n");
    outw(pmbase + PM1_CNT, (inw(pmbase + PM1_CNT) & ~0x1c00) | SLP_EN);
    /* QEMU powers off from its main loop, a moment later: give it 2 s of the 3.58 MHz PM timer */
    u32 last = inl(pmbase + PM_TMR) & 0xffffff, elapsed = 0;
    while (elapsed < 2 * 3579545u) {
        u32 now = inl(pmbase + PM_TMR) & 0xffffff;
        elapsed += (now - last) & 0xffffff;   /* the counter is 24 bits wide and wraps */
        last = now;
    }
    puts("still running after the S5 request\n");
    for (;;) {
        __asm__ volatile("cli; hlt");
    }
}
