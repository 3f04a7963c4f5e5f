#include "probe.h"

/* PAE paging (CR4.PAE): a four-entry PDPT, 8-byte directory and table entries, 2 MiB pages,
 * accessed and dirty bits, page faults with CR2 and error codes, and the execute-disable bit
 * once EFER.NXE is set (fetch faults carry the I/D bit; without NXE bit 63 is reserved). */

static u64 pdpt[4] __attribute__((aligned(32)));
static u64 low_directory[512] __attribute__((aligned(4096)));   /* linear 0-1 GiB: 2 MiB identity pages */
static u64 test_directory[512] __attribute__((aligned(4096)));  /* linear 0x80000000-0xbfffffff */
static u64 test_table[512] __attribute__((aligned(4096)));      /* linear 0x80000000-0x801fffff */
static u8 frames[4][4096] __attribute__((aligned(4096)));
volatile u32 saved_esp;

static u64 rdmsr(u32 index) {
    u32 lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(index));
    return (u64) hi << 32 | lo;
}

static void wrmsr(u32 index, u64 v) {
    __asm__ volatile("wrmsr" : : "c"(index), "a"((u32) v), "d"((u32) (v >> 32)) : "memory");
}

static void cpuid(u32 leaf, u32 *a, u32 *b, u32 *c, u32 *d) {
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

/* Calls code at a linear address (a ret there comes straight back); a fetch fault resumes after the call. */
static void probe_call(u32 address) {
    faults = 0;
    __asm__ volatile("movl $1f, resume\n mov %%esp, saved_esp\n call *%0\n1: mov saved_esp, %%esp"
                     : : "r"(address) : "memory", "eax", "ecx", "edx");
}

#define XD (1ull << 63)

void payload_main(void) {
    serial_init();
    install_page_fault_probe();

    u32 a, b, c, d;
    cpuid(1, &a, &b, &c, &d);
    line("cpuid PAE", (d >> 6) & 1);
    cpuid(0x80000000, &a, &b, &c, &d);
    u32 nx = 0;
    if (a >= 0x80000001) {
        cpuid(0x80000001, &a, &b, &c, &d);
        nx = (d >> 20) & 1;
    }
    line("cpuid NX", nx);

    for (u32 i = 0; i < 512; i++) {
        low_directory[i] = ((u64) i << 21) | 0x83;
    }
    pdpt[0] = (u32) low_directory | 1;
    pdpt[2] = (u32) test_directory | 1;
    pdpt[3] = 0;                                         /* 0xc0000000-: not present */
    test_directory[0] = (u32) test_table | 0x7;
    test_directory[1] = 0x00400000 | 0x81;               /* 0x80200000: 2 MiB read-only, at physical 4 MiB */
    test_directory[2] = 0x00400000 | 0x83;               /* 0x80400000: the same 2 MiB, writable */
    for (int i = 0; i < 4; i++) {
        memset(frames[i], 0x11 * (i + 1), 4096);
    }
    frames[3][0] = 0xc3;                                 /* ret */
    test_table[0] = (u32) frames[0] | 0x3;               /* 0x80000000 -> frame 0 */
    test_table[1] = (u32) frames[1] | 0x1;               /* 0x80001000 -> frame 1, read-only */
    test_table[2] = 0;                                   /* 0x80002000 not present */
    test_table[3] = (u32) frames[3] | 0x3;               /* 0x80003000 -> frame 3 (a ret), executable */
    test_table[4] = (u32) frames[3] | 0x3 | XD;          /* 0x80004000 -> frame 3, execute-disable */

    __asm__ volatile("mov %0, %%cr3" : : "r"(pdpt) : "memory");
    set_cr4(cr4() | 0x20);
    set_cr0(cr0() | 0x80000000);
    puts("pae paging on\n");

    line("read through 4 KiB page", probe_read(0x80000000));
    line("pte after read", (u32) test_table[0] & 0x60);
    probe_write(0x80000010, 0x12345678);
    line("pte after write", (u32) test_table[0] & 0x60);
    line("frame sees the write", *(volatile u32 *) (frames[0] + 0x10));
    line("pde of the table", (u32) test_directory[0] & 0x60);
    /* (PDPTE accessed bits are left out: the SDM's PAE PDPTEs have none, Debian's QEMU 7.2 sets one) */

    *(volatile u32 *) 0x00500004 = 0xcafef00d;
    line("read through 2 MiB page", probe_read(0x80500004));
    line("2 MiB pde accessed/dirty", (u32) test_directory[2] & 0x60);
    probe_write(0x80500008, 5);
    line("2 MiB pde after write", (u32) test_directory[2] & 0x60);

    probe_read(0x80002000);
    report_fault("not present read");
    probe_write(0x80002ff0, 1);
    report_fault("not present write");
    probe_read(0xc0001000);
    report_fault("pdpte not present");
    probe_write(0x80001000, 1);
    report_fault("read-only write, WP=0");
    set_cr0(cr0() | 0x10000);
    probe_write(0x80001004, 2);
    report_fault("read-only write, WP=1");
    probe_write(0x80200100, 3);
    report_fault("read-only 2 MiB write, WP=1");
    line("fault eip at the instruction", last_eip != 0 && last_eip != resume);

    probe_call(0x80003000);
    report_fault("call executable page");
    probe_call(0x80002000);
    report_fault("call absent page, NXE=0");

    if (nx) {
        wrmsr(0xc0000080, rdmsr(0xc0000080) | 0x800);
        line("efer", (u32) rdmsr(0xc0000080));
        probe_call(0x80004000);
        report_fault("call execute-disable page");
        line("read execute-disable page", probe_read(0x80004000) & 0xff);
        probe_call(0x80002000);
        report_fault("call absent page, NXE=1");
        probe_write(0x80002000, 1);
        report_fault("absent write, NXE=1");
        test_directory[3] = 0x00400000 | 0x83 | XD;      /* 0x80600000: 2 MiB execute-disable */
        probe_call(0x80600000);
        report_fault("call execute-disable 2 MiB page");
        test_directory[3] = 0x00400000 | 0x83;
        invlpg(0x80600000);
        *(volatile u8 *) 0x00400000 = 0xc3;
        probe_call(0x80600000);
        report_fault("call after clearing XD and invlpg");
        /* XD in the directory entry covers the whole table below it */
        test_directory[0] |= XD;
        reload_cr3();
        probe_call(0x80003000);
        report_fault("call under an execute-disable directory entry");
        test_directory[0] &= ~XD;
        reload_cr3();
        probe_call(0x80003000);
        report_fault("call after clearing the directory's XD");
        wrmsr(0xc0000080, rdmsr(0xc0000080) & ~0x800ull);
    }
    line("efer at the end", (u32) rdmsr(0xc0000080));

    /* a mapping changed and flushed by a CR3 reload */
    test_table[0] = (u32) frames[2] | 0x3;
    reload_cr3();
    line("after cr3 reload", probe_read(0x80000000));

    set_cr0(cr0() & ~0x80000000);
    set_cr4(cr4() & ~0x20);
    puts("pae done\n");
}
