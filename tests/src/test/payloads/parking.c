#include "lib.h"

/* Code whose linear page loses its mapping and gets it back, which a translator that keeps
 * translations aside while a page is unmapped (and gives them back when the page maps the same
 * physical page again) must get right:
 * - the same bytes back: a page mapped in turn to two physical pages of different code and to
 *   nothing (a call then faults, and the #PF handler maps it), by invlpg;
 * - changed bytes: the physical page written (through another mapping) while no linear page maps
 *   it, then mapped again at the same linear page;
 * - address spaces: two page directories mapping the page to different physical pages, switched by
 *   CR3 writes, the code under one of them rewritten while the other is current;
 * - an instruction straddling into a page that is not present: the #PF handler maps it and the
 *   instruction resumes; the page is unmapped and mapped again (with other bytes) between calls,
 *   so code translated before the fault runs again when the page is there.
 * Every line is compared with Debian's QEMU; nothing here states what the answer should be. */

#define KERNEL_CS 0x08
#define CODE_AT 0x80000000u
#define ROUNDS 200

static u64 gdt[3] __attribute__((aligned(8)));
static struct gate idt[256];
static struct { u16 limit; u32 base; } __attribute__((packed)) idtr;
static u32 dir_a[1024] __attribute__((aligned(4096)));
static u32 dir_b[1024] __attribute__((aligned(4096)));
static u32 table_a[1024] __attribute__((aligned(4096)));
static u32 table_b[1024] __attribute__((aligned(4096)));
static u8 frames[4][4096] __attribute__((aligned(4096)));

volatile u32 faults, fault_offsets;
/* The frame the #PF handler maps at the faulting page of table_a, by page index there. */
static u8 *fault_frame[3];

extern void stub_pf(void);

__asm__(".globl stub_pf\nstub_pf: pusha\nmov %cr2, %eax\npush %eax\ncall page_fault\nadd $4, %esp\npopa\nadd $4, %esp\niret\n");

void page_fault(u32 address) {
    u32 page = (address - CODE_AT) >> 12;
    faults++;
    fault_offsets += address - CODE_AT;
    if (page >= 3) {
        puts("unexpected #PF at ");
        puthex(address, 8);
        puts("\n");
        reset_machine();
    }
    table_a[page] = (u32) fault_frame[page] | 3;
}

static void set_gate(int v, void (*fn)(void), u8 attr) {
    idt[v] = gate_to((u32) fn, KERNEL_CS, attr);
}

static u32 call_at(u32 address) {
    u32 v;
    __asm__ volatile("call *%1" : "=a"(v) : "r"(address) : "ebx", "ecx", "edx", "memory", "cc");
    return v;
}

static void map(u32 *table, int page, u8 *frame) {
    table[page] = frame ? (u32) frame | 3 : 0;
    invlpg(CODE_AT + ((u32) page << 12));
}

static void returns(u8 *frame, u32 value) {
    frame[0] = 0xb8; /* mov $value, %eax; ret */
    frame[1] = (u8) value;
    frame[2] = (u8) (value >> 8);
    frame[3] = (u8) (value >> 16);
    frame[4] = (u8) (value >> 24);
    frame[5] = 0xc3;
}

static void report(const char *what, u32 sum) {
    puts(what);
    puts(": ");
    putdec(sum);
    puts(", faults ");
    putdec(faults);
    puts(" at offsets summing to ");
    puthex(fault_offsets, 8);
    puts("\n");
    faults = 0;
    fault_offsets = 0;
}

static void same_bytes_back(void) {
    u32 sum = 0;
    fault_frame[0] = frames[0];
    for (int i = 0; i < ROUNDS; i++) {
        map(table_a, 0, frames[0]);
        for (int k = 0; k < 3; k++) {
            sum += call_at(CODE_AT);
        }
        map(table_a, 0, 0);
        if (i % 3 == 0) {
            map(table_a, 0, frames[1]);
            sum += call_at(CODE_AT) * 10;
            map(table_a, 0, 0);
        }
        if (i % 5 == 0) {
            sum += call_at(CODE_AT) * 100; /* not present: the handler maps frames[0] */
        }
    }
    report("same bytes back", sum);
}

static void changed_bytes(void) {
    u32 sum = 0;
    for (int i = 0; i < ROUNDS; i++) {
        map(table_a, 0, frames[0]);
        for (int k = 0; k < 3; k++) {
            sum += call_at(CODE_AT);
        }
        map(table_a, 0, 0);
        if (i % 2 == 0) {
            returns(frames[0], i + 7); /* through the identity mapping, while CODE_AT maps nothing */
        }
        map(table_a, 0, frames[0]);
        sum += call_at(CODE_AT) * 3;
    }
    report("changed bytes", sum);
}

static void address_spaces(void) {
    u32 sum = 0;
    returns(frames[0], 5);
    table_a[0] = (u32) frames[0] | 3;
    table_b[0] = (u32) frames[1] | 3;
    for (int i = 0; i < ROUNDS; i++) {
        __asm__ volatile("mov %0, %%cr3" : : "r"(dir_a) : "memory");
        sum += call_at(CODE_AT) + call_at(CODE_AT);
        __asm__ volatile("mov %0, %%cr3" : : "r"(dir_b) : "memory");
        sum += call_at(CODE_AT) * 1000;
        if (i % 4 == 3) {
            returns(frames[0], i); /* under dir_b, which maps frames[1] at CODE_AT */
        }
    }
    __asm__ volatile("mov %0, %%cr3" : : "r"(dir_a) : "memory");
    report("address spaces", sum);
}

static void straddling(void) {
    /* at 0xff8 of page 1: mov $0x11, %ebx; mov $imm32, %eax whose last two bytes are on page 2,
     * then add %ebx, %eax; ret on page 2 */
    static const u8 first[] = {0xbb, 0x11, 0, 0, 0, 0xb8, 0x44, 0x33};
    static const u8 second[] = {0x22, 0x11, 0x01, 0xd8, 0xc3};
    memcpy(frames[2] + 0xff8, first, sizeof first);
    memcpy(frames[3], second, sizeof second);
    fault_frame[2] = frames[3];
    map(table_a, 1, frames[2]);
    u32 sum = 0;
    for (int i = 0; i < ROUNDS; i++) {
        map(table_a, 2, 0);
        sum += call_at(CODE_AT + 0x1ff8);      /* faults at the straddling instruction's second page */
        sum += call_at(CODE_AT + 0x1ff8);      /* mapped now */
        if (i % 8 == 7) {
            frames[3][0] = (u8) i;             /* other bytes at the next fault */
        }
    }
    report("straddling into a page mapped by the fault handler", sum);
}

void payload_main(void) {
    serial_and_quiet_pics();

    load_flat_gdt(gdt, sizeof gdt);
    set_gate(14, stub_pf, 0x8e);
    idtr.limit = sizeof idt - 1;
    idtr.base = (u32) idt;
    __asm__ volatile("lidt %0" : : "m"(idtr));

    for (int i = 0; i < 8; i++) {
        dir_a[i] = (u32) i << 22 | 0x83;           /* identity, 4 MiB, writable, supervisor */
        dir_b[i] = (u32) i << 22 | 0x83;
    }
    dir_a[CODE_AT >> 22] = (u32) table_a | 3;
    dir_b[CODE_AT >> 22] = (u32) table_b | 3;
    returns(frames[0], 1);
    returns(frames[1], 2);
    __asm__ volatile("mov %0, %%cr3" : : "r"(dir_a) : "memory");
    set_cr4(cr4() | 0x10);                         /* PSE */
    set_cr0(cr0() | 0x80000000);

    puts("parking test\n");
    same_bytes_back();
    changed_bytes();
    address_spaces();
    straddling();
    puts("parking done\n");
}
