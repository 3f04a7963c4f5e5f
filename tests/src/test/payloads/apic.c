#include "lib.h"

/*
 * The interrupt path Linux uses on an SMP PC: the MP table's I/O APIC and ISA IRQ 0 pin, the PIT
 * through the I/O APIC (edge), the UART through it as a level-triggered input (remote IRR and
 * the EOI broadcast), the local APIC timer one-shot and periodic, and fixed IPIs both ways
 * between the boot CPU and the second CPU (started with INIT/SIPI, needs -smp 2).
 */

#define LAPIC 0xfee00000u
#define IOAPIC 0xfec00000u
extern u8 trampoline_start[], trampoline_end[];

static struct gate idt[256];
static struct { u16 limit; u32 base; } __attribute__((packed)) idtr;
volatile u32 pit_ticks, timer_ticks, uart_irqs, ipis_on_ap, ipis_on_bsp, spurious, others, ap_alive;

static volatile u32 *lapic(u32 reg) { return (volatile u32 *) (LAPIC + reg); }

static u32 ioapic_read(u32 reg) {
    *(volatile u32 *) IOAPIC = reg;
    return *(volatile u32 *) (IOAPIC + 0x10);
}

static void ioapic_write(u32 reg, u32 value) {
    *(volatile u32 *) IOAPIC = reg;
    *(volatile u32 *) (IOAPIC + 0x10) = value;
}

static void route(int pin, u32 low, u32 apic_id) {
    ioapic_write(0x11 + 2 * pin, apic_id << 24);
    ioapic_write(0x10 + 2 * pin, low);
}

static void eoi(void) { *lapic(0xb0) = 0; }

void pit_handler(void) { pit_ticks++; eoi(); }
void timer_handler(void) { timer_ticks++; eoi(); }
void uart_handler(void) {
    if ((inb(0x3fa) & 0x0f) == 0x02) {   /* THRE: reading IIR clears it and lowers the line */
        uart_irqs++;
        outb(0x3f9, 0x00);
    }
    eoi();
}
void ipi_ap_handler(void) { ipis_on_ap++; eoi(); }
void ipi_bsp_handler(void) { ipis_on_bsp++; eoi(); }
void spurious_handler(void) { spurious++; }
void other_handler(void) { others++; }

#define STUB(name) __asm__(".globl " #name "_stub\n" #name "_stub: pusha\ncall " #name "_handler\npopa\niret\n")
STUB(pit); STUB(timer); STUB(uart); STUB(ipi_ap); STUB(ipi_bsp); STUB(spurious); STUB(other);
extern void pit_stub(void), timer_stub(void), uart_stub(void), ipi_ap_stub(void), ipi_bsp_stub(void),
        spurious_stub(void), other_stub(void);

static void set_gate(int v, void (*f)(void)) {
    idt[v] = gate_to((u32) f, 0x08, 0x8e);
}

static void say(const char *what, int ok) {
    puts(what);
    puts(ok ? ": yes\n" : ": NO\n");
}

static void wait_for(volatile u32 *counter, u32 target) {
    for (u32 i = 0; i < 400000000u && *counter < target; i++) {
        __asm__ volatile("sti; hlt; cli");
    }
}

static void spin_until(volatile u32 *counter, u32 target) {
    for (u32 i = 0; i < 400000000u && *counter < target; i++) {
        __asm__ volatile("pause");
    }
}

static void ipi(u32 dest, u32 command) {
    *lapic(0x310) = dest << 24;
    *lapic(0x300) = command;
    for (u32 i = 0; i < 1000000 && (*lapic(0x300) & (1u << 12)); i++) {
    }
}

/* The MP table: the I/O APIC's address and the pin of ISA IRQ 0. */
static void read_mp_table(u32 *ioapic_address, int *irq0_pin) {
    for (u8 *p = (u8 *) 0xf0000; p < (u8 *) 0x100000; p += 16) {
        if (p[0] != '_' || p[1] != 'M' || p[2] != 'P' || p[3] != '_') {
            continue;
        }
        u8 *table = (u8 *) *(u32 *) (p + 4);
        u16 count = *(u16 *) (table + 34);
        u8 *e = table + 44;
        for (int i = 0; i < count; i++) {
            switch (e[0]) {
            case 0: e += 20; break;
            case 2: *ioapic_address = *(u32 *) (e + 4); e += 8; break;
            case 3:
                if (e[5] == 0 && e[1] == 0 && e[4] != 0) { /* INT, source IRQ 0 on a (non-PCI) ISA bus */
                    *irq0_pin = e[7];
                }
                e += 8;
                break;
            default: e += 8; break;
            }
        }
        return;
    }
}

void ap_main(void) {
    __asm__ volatile("lidt %0" : : "m"(idtr));
    *lapic(0xf0) = 0x1ff;
    ap_alive = 1;
    for (;;) {
        __asm__ volatile("sti; hlt; cli");
        if (ipis_on_ap) {
            ipi(0, 0x00004051);              /* fixed IPI back to the boot CPU, vector 0x51 */
            for (;;) {
                __asm__ volatile("cli; hlt");
            }
        }
    }
}

void payload_main(void) {
    serial_init();
    for (int v = 0; v < 256; v++) {
        set_gate(v, other_stub);
    }
    set_gate(0x30, pit_stub);
    set_gate(0x31, timer_stub);
    set_gate(0x34, uart_stub);
    set_gate(0x50, ipi_ap_stub);
    set_gate(0x51, ipi_bsp_stub);
    set_gate(0xff, spurious_stub);
    idtr.limit = sizeof idt - 1;
    idtr.base = (u32) idt;
    __asm__ volatile("lidt %0" : : "m"(idtr));

    /* The 8259 pair initialised to vectors 0x20-0x2f, then fully masked: interrupts come through the APICs. */
    outb(0x20, 0x11); outb(0xa0, 0x11);
    outb(0x21, 0x20); outb(0xa1, 0x28);
    outb(0x21, 0x04); outb(0xa1, 0x02);
    outb(0x21, 0x01); outb(0xa1, 0x01);
    outb(0x21, 0xff); outb(0xa1, 0xff);
    *lapic(0xf0) = 0x1ff;                    /* software-enable the local APIC, spurious vector 0xff */
    *lapic(0x350) = 0x10700;                 /* LINT0 masked, as Linux leaves it with an I/O APIC */

    u32 ioapic_address = 0;
    int irq0_pin = -1;
    read_mp_table(&ioapic_address, &irq0_pin);
    puts("MP table: I/O APIC at ");
    puthex(ioapic_address, 8);
    puts(", ISA IRQ 0 on pin ");
    putdec((u32) irq0_pin);
    putc('\n');
    puts("I/O APIC redirection entries: ");
    putdec(((ioapic_read(0x01) >> 16) & 0xff) + 1);
    putc('\n');

    route(irq0_pin, 0x30, 0);               /* fixed, physical, edge, active high, to APIC 0 */
    outb(0x43, 0x34);                       /* PIT counter 0, mode 2, about 1 kHz */
    outb(0x40, 1193 & 0xff);
    outb(0x40, 1193 >> 8);
    wait_for(&pit_ticks, 20);
    say("PIT through the I/O APIC: 20 interrupts", pit_ticks >= 20);
    route(irq0_pin, 0x10030, 0);            /* masked */
    outb(0x43, 0x30);                       /* counter 0 one-shot mode: no more periodic edges */

    route(4, 0xa034, 0);                    /* COM1: level, active low as PCI-style, vector 0x34 */
    outb(0x3fc, 0x0b);                      /* OUT2 gates the UART interrupt */
    outb(0x3f9, 0x02);                      /* THRE interrupt: fires at once */
    wait_for(&uart_irqs, 1);
    say("UART through the I/O APIC, level-triggered", uart_irqs == 1);
    say("remote IRR clear after the EOI", (ioapic_read(0x10 + 8) & (1 << 14)) == 0);
    route(4, 0x10034, 0);

    *lapic(0x3e0) = 0x3;                    /* divide by 16 */
    *lapic(0x320) = 0x20031;                /* periodic, vector 0x31 */
    *lapic(0x380) = 200000;
    say("APIC timer current count counts down", *lapic(0x390) <= 200000);
    wait_for(&timer_ticks, 10);
    say("APIC timer periodic: 10 interrupts", timer_ticks >= 10);
    *lapic(0x320) = 0x10031;                /* masked */
    *lapic(0x380) = 0;
    /* Masking stops new timer interrupts, not one already in the IRR: a periodic tick that came
     * after the last hlt but before the mask (a vCPU preempted by a loaded host) would be counted
     * as the one-shot's. Interrupt windows let any such tick in before the count starts. */
    for (volatile u32 i = 0; i < 100000; i++) {
        __asm__ volatile("sti; nop; cli");
    }
    timer_ticks = 0;
    *lapic(0x320) = 0x00031;                /* one-shot */
    *lapic(0x380) = 100000;
    wait_for(&timer_ticks, 1);
    while (*lapic(0x390) != 0) {
    }
    for (volatile u32 i = 0; i < 2000000; i++) {
    }
    __asm__ volatile("sti; nop; cli");
    say("APIC timer one-shot: exactly one interrupt", timer_ticks == 1);

    memcpy((void *) 0x8000, trampoline_start, (unsigned) (trampoline_end - trampoline_start));
    ipi(1, 0x00004500);                     /* INIT */
    for (volatile u32 i = 0; i < 100000; i++) {
    }
    ipi(1, 0x00004608);                     /* STARTUP, vector 0x08 */
    spin_until(&ap_alive, 1);
    say("second CPU started", ap_alive == 1);
    ipi(1, 0x00004050);                     /* fixed IPI to APIC 1, vector 0x50 */
    spin_until(&ipis_on_ap, 1);
    say("fixed IPI reached the second CPU", ipis_on_ap == 1);
    wait_for(&ipis_on_bsp, 1);
    say("fixed IPI from the second CPU reached the boot CPU", ipis_on_bsp == 1);
    say("no stray interrupts", others == 0);
    puts("apic ok\n");
}
