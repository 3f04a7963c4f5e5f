#include "lib.h"

/* Starts CPU 1 with the INIT-SIPI-SIPI sequence through the local APIC at 0xFEE00000. */

#define LAPIC 0xfee00000u
extern u8 trampoline_start[], trampoline_end[];
volatile u32 ap_apic_id = 0xffffffffu, ap_alive;

static volatile u32 *lapic(u32 reg) { return (volatile u32 *) (LAPIC + reg); }

static void delay(u32 n) {
    for (volatile u32 i = 0; i < n; i++) {
    }
}

static void ipi(u32 dest, u32 command) {
    *lapic(0x310) = dest << 24;
    *lapic(0x300) = command;
    for (u32 i = 0; i < 1000000 && (*lapic(0x300) & (1u << 12)); i++) {
    }
}

void ap_main(void) {
    ap_apic_id = *lapic(0x20) >> 24;
    barrier();
    ap_alive = 1;
}

void payload_main(void) {
    serial_init();
    puts("BSP apic id ");
    putdec(*lapic(0x20) >> 24);
    putc('\n');
    memcpy((void *) 0x8000, trampoline_start, (unsigned) (trampoline_end - trampoline_start));
    *lapic(0xf0) = 0x1ff;                 /* software-enable the local APIC */
    ipi(1, 0x00004500);                   /* INIT, assert, level */
    delay(100000);
    ipi(1, 0x00004608);                   /* STARTUP, vector 0x08 -> 0x8000 */
    delay(10000);
    if (!ap_alive) {
        ipi(1, 0x00004608);
    }
    for (u32 i = 0; i < 400000000u && !ap_alive; i++) {
    }
    if (!ap_alive) {
        puts("AP did not start\n");
        return;
    }
    puts("AP started, apic id ");
    putdec(ap_apic_id);
    putc('\n');
    puts("smp ok\n");
}
