#include "lib.h"

/* Hot loops that a translator may compile as one method with a backward jump (loop blocks), each
 * meeting something that must end the loop between two instructions:
 * - timer interrupts: a one-block spin waits for ticks that only a loop that leaves at an
 *   interrupt request can deliver;
 * - its own code rewritten: a one-block loop stores into its own immediate operand on every
 *   iteration, so each iteration must add what the previous one wrote;
 * - page faults in the middle: a fill loop runs into pages that are not present, the #PF handler
 *   makes them present, the loop resumes at the faulting store; the accessed and dirty bits of the
 *   pages it wrote and the sum read back by a second loop are printed;
 * - a page whose mapping changes between two runs of the same loop (invlpg).
 * Every line is compared with Debian's QEMU; nothing here states what the answer should be. */

#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define ITERATIONS 1000
#define WINDOW 0x80000000u
#define WINDOW_PAGES 4


static u64 gdt[3] __attribute__((aligned(8)));
static struct gate idt[256];
static struct { u16 limit; u32 base; } __attribute__((packed)) idtr;
static u32 directory[1024] __attribute__((aligned(4096)));
static u32 window_table[1024] __attribute__((aligned(4096)));
static u8 frames[WINDOW_PAGES + 1][4096] __attribute__((aligned(4096)));

volatile u32 ticks, faults, fault_addresses;

extern void stub_irq0(void), stub_pf(void), spin_for_ticks(void), self_rewriting_loop(void);
extern u32 fill_loop(u32 *to, u32 count, u32 value), sum_loop(const u32 *from, u32 count);
extern u32 scan_loop(const u8 *from, u32 count, u32 byte);

__asm__(".globl stub_irq0\nstub_irq0: push %eax\nincl ticks\nmov $0x20, %al\noutb %al, $0x20\npop %eax\niret\n"
        /* #PF: the page at CR2 made present (its frame is already in the entry), the error code dropped */
        ".globl stub_pf\nstub_pf: pusha\nmov %cr2, %eax\npush %eax\ncall page_fault\nadd $4, %esp\npopa\nadd $4, %esp\niret\n"
        /* one block: compare and branch back until the timer has ticked 20 times */
        ".balign 4096\n.globl spin_for_ticks\nspin_for_ticks: cmpl $20, ticks\njb spin_for_ticks\nret\n"
        /* one block on its own page: ebx += the immediate at rewrite_imm, then the immediate := ecx */
        ".balign 4096\n.globl self_rewriting_loop\nself_rewriting_loop: .byte 0x81, 0xc3\nrewrite_imm: .long 0\n"
        "mov %ecx, rewrite_imm\ndec %ecx\njnz self_rewriting_loop\nret\n"
        /* fill_loop(to, count, value): count dwords, value + index each; returns the end address */
        ".balign 4096\n.globl fill_loop\nfill_loop: push %edi\nmov 8(%esp), %edi\nmov 12(%esp), %ecx\nmov 16(%esp), %eax\n"
        "1: mov %eax, (%edi)\ninc %eax\nadd $4, %edi\ndec %ecx\njnz 1b\nmov %edi, %eax\npop %edi\nret\n"
        /* sum_loop(from, count): the sum of count dwords */
        ".globl sum_loop\nsum_loop: push %esi\nmov 8(%esp), %esi\nmov 12(%esp), %ecx\nxor %eax, %eax\n"
        "1: add (%esi), %eax\nadd $4, %esi\ndec %ecx\njnz 1b\npop %esi\nret\n"
        /* scan_loop(from, count, byte): bytes before the first equal to byte; two blocks, a jcc out
         * and a jcc back (the shape of the xz decompressor's hot loops) */
        ".globl scan_loop\nscan_loop: push %esi\npush %ebx\nmov 12(%esp), %esi\nmov 16(%esp), %ecx\nmov 20(%esp), %ebx\n"
        "mov %esi, %edx\n1: movzbl (%esi), %eax\ncmp %bl, %al\nje 2f\ninc %esi\ndec %ecx\njnz 1b\n"
        "2: mov %esi, %eax\nsub %edx, %eax\npop %ebx\npop %esi\nret\n"
        ".balign 4096\n");

static void set_gate(int v, void (*fn)(void), u8 attr) {
    idt[v] = gate_to((u32) fn, KERNEL_CS, attr);
}

void page_fault(u32 address) {
    faults++;
    fault_addresses += address - WINDOW;
    window_table[(address - WINDOW) >> 12] |= 1;
    invlpg(address);
}

static void across_interrupts(void) {
    timer_irq0_at_1khz();
    __asm__ volatile("sti\n call spin_for_ticks\n cli" ::: "memory", "cc");
    outb(0x21, 0xff);
    puts("timer ticks seen in a spinning loop: ");
    putdec(ticks >= 20);
    puts("\n");
}

static void across_its_own_rewrite(void) {
    for (int round = 0; round < 3; round++) {
        u32 sum;
        __asm__ volatile("xor %%ebx, %%ebx\n mov %1, %%ecx\n call self_rewriting_loop" : "=b"(sum) : "i"(ITERATIONS) : "ecx", "memory", "cc");
        puts("sum over its own rewritten immediate: ");
        puthex(sum, 8);
        puts("\n");
    }
}

static void across_page_faults(void) {
    for (int i = 0; i < 8; i++) {
        directory[i] = (u32) i << 22 | 0x83;                       /* identity, 4 MiB, writable */
    }
    directory[WINDOW >> 22] = (u32) window_table | 3;
    for (int p = 0; p < WINDOW_PAGES; p++) {
        window_table[p] = (u32) frames[p] | (p == 0 ? 3 : 2);       /* only the first page present */
    }
    __asm__ volatile("mov %0, %%cr3" : : "r"(directory) : "memory");
    set_cr4(cr4() | 0x10);                                         /* PSE */
    set_cr0(cr0() | 0x80000000);
    u32 count = WINDOW_PAGES * 1024 - 3;
    u32 end = fill_loop((u32 *) (WINDOW + 8), count, 0x1000);
    puts("fill loop ended at ");
    puthex(end, 8);
    puts(" after ");
    putdec(faults);
    puts(" page faults at offsets summing to ");
    puthex(fault_addresses, 8);
    puts("\naccessed and dirty bits:");
    for (int p = 0; p < WINDOW_PAGES; p++) {
        puts(" ");
        puthex(window_table[p] & 0x60, 2);
    }
    puts("\nsum read back: ");
    puthex(sum_loop((const u32 *) (WINDOW + 8), count), 8);
    puts("\n");
    /* the same loops over a page mapped to another frame between runs */
    u32 first = 0;
    for (int round = 0; round < 4; round++) {
        window_table[0] = (u32) frames[round & 1 ? WINDOW_PAGES : 0] | 3;
        invlpg(WINDOW);
        fill_loop((u32 *) WINDOW, 1024, round << 16);
        first += sum_loop((const u32 *) WINDOW, 1024);
    }
    /* the scan meets pages made absent again: faults in its first block */
    memset((void *) WINDOW, 0x55, WINDOW_PAGES * 4096);
    ((u8 *) WINDOW)[3 * 4096 + 100] = 0xaa;
    for (int p = 1; p < WINDOW_PAGES; p++) {
        window_table[p] &= ~1u;
        invlpg(WINDOW + p * 4096);
    }
    faults = 0;
    fault_addresses = 0;
    puts("bytes before the first 0xaa: ");
    putdec(scan_loop((const u8 *) (WINDOW + 8), WINDOW_PAGES * 4096 - 8, 0xaa));
    puts(" after ");
    putdec(faults);
    puts(" page faults at offsets summing to ");
    puthex(fault_addresses, 8);
    puts(", before the first 0x55: ");
    putdec(scan_loop((const u8 *) (WINDOW + 8), 16, 0x55));
    puts("\n");
    puts("sums over a remapped page: ");
    puthex(first, 8);
    puts(", frames hold ");
    puthex(((u32 *) frames[0])[5], 8);
    puts(" and ");
    puthex(((u32 *) frames[WINDOW_PAGES])[5], 8);
    puts("\n");
}

void payload_main(void) {
    serial_and_quiet_pics();

    load_flat_gdt(gdt, sizeof gdt);
    set_gate(14, stub_pf, 0x8e);
    set_gate(0x20, stub_irq0, 0x8e);
    idtr.limit = sizeof idt - 1;
    idtr.base = (u32) idt;
    __asm__ volatile("lidt %0" : : "m"(idtr));

    puts("loops test\n");
    across_its_own_rewrite();
    across_interrupts();
    across_page_faults();
    puts("loops done\n");
}
