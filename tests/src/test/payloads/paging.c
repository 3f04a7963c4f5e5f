#include "probe.h"

/* 32-bit paging: 4 KiB and 4 MiB pages, accessed and dirty bits, page faults with CR2 and
 * their error codes (not present, write to read-only with CR0.WP), invlpg and
 * CR3 reloads, global pages, and code rewritten through a second mapping of its page. */

static u32 directory[1024] __attribute__((aligned(4096)));
static u32 low_table[1024] __attribute__((aligned(4096)));   /* linear 0-4 MiB, identity, 4 KiB pages */
static u32 test_table[1024] __attribute__((aligned(4096)));  /* linear 0x80000000-0x803fffff */
static u8 frames[4][4096] __attribute__((aligned(4096)));    /* physical pages the tests map around */
static u8 code_page[4096] __attribute__((aligned(4096)));

void payload_main(void) {
    serial_init();
    install_page_fault_probe();

    for (u32 i = 0; i < 1024; i++) {
        low_table[i] = (i << 12) | 0x3;
    }
    directory[0] = (u32) low_table | 0x3;
    directory[1] = 0x00400000 | 0x83;              /* 4 MiB identity page, writable */
    directory[0x200] = (u32) test_table | 0x7;      /* 0x80000000 */
    directory[0x201] = 0x00400000 | 0x81;           /* 0x80400000: the same 4 MiB, read-only */
    for (int i = 0; i < 4; i++) {
        memset(frames[i], 0x11 * (i + 1), 4096);
    }
    test_table[0] = (u32) frames[0] | 0x3;          /* 0x80000000 -> frame 0 */
    test_table[1] = (u32) frames[1] | 0x1;          /* 0x80001000 -> frame 1, read-only */
    test_table[2] = 0;                              /* 0x80002000 not present */
    test_table[3] = (u32) frames[2] | 0x103;        /* 0x80003000 -> frame 2, global */
    test_table[4] = (u32) code_page | 0x3;          /* 0x80004000: code_page's second mapping */

    __asm__ volatile("mov %0, %%cr3" : : "r"(directory) : "memory");
    set_cr4(cr4() | 0x10 | 0x80);                   /* PSE, PGE */
    set_cr0(cr0() | 0x80000000);
    puts("paging on\n");

    line("read through 4 KiB page", probe_read(0x80000000));
    line("pte after read", test_table[0] & 0x60);
    probe_write(0x80000010, 0x12345678);
    line("pte after write", test_table[0] & 0x60);
    line("frame sees the write", *(volatile u32 *) (frames[0] + 0x10));
    line("pde of the table", directory[0x200] & 0x60);

    *(volatile u32 *) 0x00500004 = 0xcafef00d;
    line("read through 4 MiB page", probe_read(0x00500004));
    line("4 MiB pde accessed/dirty", directory[1] & 0x60);

    probe_read(0x80002000);
    report_fault("not present read");
    probe_write(0x80002ff0, 1);
    report_fault("not present write");
    probe_write(0x80001000, 1);
    report_fault("read-only write, WP=0");
    set_cr0(cr0() | 0x10000);
    probe_write(0x80001004, 2);
    report_fault("read-only write, WP=1");
    probe_write(0x80400100, 3);
    report_fault("read-only 4 MiB write, WP=1");
    /* (a reserved-bit fault is left to the unit tests: Debian's QEMU 7.2 reports it without the
     * P bit that SDM 4.7 says it carries) */
    line("fault eip at the instruction", last_eip != 0 && last_eip != resume);

    /* remap 0x80000000 to frame 3: invlpg makes the new mapping visible */
    test_table[0] = (u32) frames[3] | 0x3;
    invlpg(0x80000000);
    line("after invlpg", probe_read(0x80000000));
    /* a not-present entry made present is seen without any flush */
    test_table[2] = (u32) frames[1] | 0x3;
    line("newly present page", probe_read(0x80002000));
    /* a CR3 reload drops non-global entries; the global one keeps its old translation */
    test_table[0] = (u32) frames[0] | 0x3;
    reload_cr3();
    line("after cr3 reload", probe_read(0x80000000));
    /* toggling CR4.PGE drops global entries too */
    test_table[3] = (u32) frames[3] | 0x103;
    set_cr4(cr4() & ~0x80);
    set_cr4(cr4() | 0x80);
    line("global page after PGE toggle", probe_read(0x80003000));

    /* code rewritten through a second mapping of its page runs as rewritten */
    static const u8 ret_value[] = {0xb8, 1, 0, 0, 0, 0xc3}; /* mov $1, %eax; ret */
    memcpy(code_page, ret_value, sizeof ret_value);
    u32 (*fn)(void) = (u32 (*)(void)) code_page;
    line("code before", fn());
    *(volatile u8 *) 0x80004001 = 2;
    line("code after write through alias", fn());

    set_cr0(cr0() & ~0x80000000);
    puts("paging done\n");
}
