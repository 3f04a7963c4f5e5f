#include "lib.h"

/*
 * PIT counter 2 and port 0x61 as Linux uses them to calibrate the TSC: the gate in bit 0, OUT2
 * in bit 5, mode 0 counting down to the terminal count; also mode 2's gate behaviour, the
 * read-back status byte and the refresh toggle. Prints only facts, never host-speed numbers.
 * Not checked here: a low gate stopping modes 0 and 2 (the 8254 data sheet says it does; QEMU's
 * model, and KVM's in-kernel PIT derived from it, keep counting). Pit8254Test covers that.
 */

#define PORT_B 0x61
#define PIT_CH2 0x42
#define PIT_CMD 0x43

static u32 read_count2(void) {
    outb(PIT_CMD, 0x80);                     /* counter latch, counter 2 */
    u32 low = inb(PIT_CH2);
    return low | (u32) inb(PIT_CH2) << 8;
}

static void program2(u8 mode, u16 count) {
    outb(PIT_CMD, (u8) (0xb0 | mode << 1));  /* counter 2, LSB then MSB */
    outb(PIT_CH2, (u8) count);
    outb(PIT_CH2, (u8) (count >> 8));
}

static void say(const char *what, int ok) {
    puts(what);
    puts(ok ? ": yes\n" : ": NO\n");
}

static u64 rdtsc(void) {
    u32 lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (u64) hi << 32 | lo;
}

void payload_main(void) {
    serial_init();
    outb(PORT_B, (u8) (inb(PORT_B) & ~0x03));        /* gate low, speaker off */
    say("port 0x61 gate and speaker bits read back clear", (inb(PORT_B) & 0x03) == 0);

    program2(0, 0xffff);
    say("mode 0: OUT2 low before the terminal count", (inb(PORT_B) & 0x20) == 0);

    outb(PORT_B, (u8) ((inb(PORT_B) & ~0x02) | 0x01)); /* gate high, speaker data off: Linux's setup */
    say("port 0x61 reads the gate back", (inb(PORT_B) & 0x03) == 0x01);
    /* consecutive reads until one is below the last: a busy loop between two reads lasted longer
     * than the counter's 55 ms period whenever the host was slow or busy (a wrap read as "up") */
    u32 c = read_count2();
    int down = 0;
    for (int i = 0; i < 1000000 && !down; i++) {
        u32 d = read_count2();
        down = d < c;
        c = d;
    }
    say("gate high: counter 2 counts down", down);

    /* Linux's pit_calibrate_tsc: 50 ms in mode 0, wait for OUT2, read the TSC on both sides. */
    program2(0, 59659);
    u64 start = rdtsc();
    u32 polls = 0;
    while ((inb(PORT_B) & 0x20) == 0 && polls < 100000000u) {
        polls++;
    }
    u64 end = rdtsc();
    say("mode 0: OUT2 goes high at the terminal count", (inb(PORT_B) & 0x20) != 0);
    say("OUT2 was polled low at least once", polls > 0);
    say("the TSC advanced across the 50 ms", end > start);

    outb(PIT_CMD, 0xe8);                              /* read-back status of counter 2 */
    u8 status = inb(PIT_CH2);
    puts("read-back status (OUT, access, mode): ");
    puthex(status & 0xbf, 2);
    putc('\n');

    program2(2, 1000);
    u32 e = read_count2();
    say("mode 2: the count stays within the initial count", e >= 1 && e <= 1000);

    u8 first = inb(PORT_B) & 0x10;
    int toggled = 0;
    for (int i = 0; i < 100000 && !toggled; i++) {
        toggled = (inb(PORT_B) & 0x10) != first;
    }
    say("the refresh bit toggles", toggled);
    puts("pit ok\n");
}
