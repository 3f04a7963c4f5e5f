#include "lib.h"

/*
 * Counts its boots in a CMOS NVRAM byte and resets itself through the i8042 until the third
 * boot; a word in RAM above the kernel tells whether RAM survived the reset (QEMU keeps it).
 * The last boot halts: run without -no-reboot, the test ends the emulator once it prints "done".
 */

#define BOOT_COUNT_CMOS 0x60
#define BOOTS 3
#define RAM_MARK ((volatile u32 *) 0x400000)
#define MARK(boot) (0x5eed0000u + (boot))

static u8 cmos_read(u8 index) {
    outb(0x70, index);
    return inb(0x71);
}

static void cmos_write(u8 index, u8 value) {
    outb(0x70, index);
    outb(0x71, value);
}

void payload_main(void) {
    serial_init();
    u8 boot = (u8) (cmos_read(BOOT_COUNT_CMOS) + 1);
    cmos_write(BOOT_COUNT_CMOS, boot);
    puts("boot ");
    putdec(boot);
    if (boot > 1) {
        puts(*RAM_MARK == MARK(boot - 1) ? ", RAM kept" : ", RAM lost");
    }
    putc('\n');
    *RAM_MARK = MARK(boot);
    if (boot < BOOTS) {
        reset_machine();
    }
    puts("reboot test done\n");
    for (;;) {
        __asm__ volatile("cli; hlt");
    }
}
