#include "lib.h"

/* Hot loops whose blocks hand control to each other directly once compiled (block chaining in
 * system mode), each crossing something that must end a chain or kill a link:
 * - a mode change: one routine at one linear address runs hot in ring 0, then in ring 3, entered
 *   both times by the iret of the same handler; its mov from CR0 reads CR0 in ring 0 and is #GP
 *   in ring 3 (a ring-0 translation chained to from the iret would read it there too);
 * - interrupts: a two-block spin across pages waits for timer ticks that only a chain ending at
 *   an interrupt request can deliver;
 * - a code page rewritten next to a live chain: each iteration rewrites the immediate of the
 *   block on the other page, which the chain then enters;
 * - a page remapped under a live chain: a linear page mapped in turn to two physical pages of
 *   different code, switched by invlpg or a CR3 reload between calls from a hot loop.
 * Every line is compared with Debian's QEMU; nothing here states what the answer should be. */

#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define USER_DS 0x23
#define TSS_SEL 0x28
#define ITERATIONS 1000
#define REMAPPED 0x80000000u

struct tss {
    u32 link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
    u32 es, cs, ss, ds, fs, gs, ldt;
    u16 trap, iomap;
} __attribute__((packed));

static u64 gdt[6] __attribute__((aligned(8)));
static struct gate idt[256];
static struct tss tss __attribute__((aligned(16)));
static struct { u16 limit; u32 base; } __attribute__((packed)) idtr;
static u8 kernel_stack[4096] __attribute__((aligned(16)));
u8 user_stack[4096] __attribute__((aligned(16)));
static u32 directory[1024] __attribute__((aligned(4096)));
static u32 remap_table[1024] __attribute__((aligned(4096)));
static u8 frames[2][4096] __attribute__((aligned(4096)));

volatile u32 int_count, gp_count, ticks, kernel_esp, spins;

extern void stub_80(void), stub_81(void), stub_gp(void), stub_irq0(void);
extern void shared_loop(void), enter_user(void), spin_until_ticks(void), rewrite_loop(void);

__asm__(".globl stub_80\nstub_80: incl int_count\niret\n"
        /* #GP: the error code dropped, the 3-byte mov from CR0 skipped */
        ".globl stub_gp\nstub_gp: add $4, %esp\naddl $3, (%esp)\nincl gp_count\niret\n"
        ".globl stub_irq0\nstub_irq0: push %eax\nincl ticks\nmov $0x20, %al\noutb %al, $0x20\npop %eax\niret\n"
        /* ring 3 comes back through int 0x81: the kernel's stack and registers as enter_user left them */
        ".globl stub_81\nstub_81: mov $0x10, %ax\nmov %ax, %ds\nmov %ax, %es\nmov kernel_esp, %esp\n"
        "pop %edi\npop %esi\npop %ebx\npop %ebp\nret\n"
        /* ecx iterations of: int 0x80 (its iret returns to 1:), then mov from CR0 at one address */
        ".globl shared_loop\nshared_loop: int $0x80\n1: mov %cr0, %eax\ndec %ecx\njnz shared_loop\nret\n"
        /* enter_user(): iret to ring 3 at user_code with user_stack, back at stub_81 */
        ".globl enter_user\nenter_user: push %ebp\npush %ebx\npush %esi\npush %edi\nmov %esp, kernel_esp\n"
        "pushl $0x23\npushl $user_stack + 4096\npushl $0x002\npushl $0x1b\npushl $user_code\niret\n"
        "user_code: mov $0x23, %ax\nmov %ax, %ds\nmov %ax, %es\nmov $1000, %ecx\ncall shared_loop\nint $0x81\n"
        /* two blocks on two pages spinning until the timer has ticked 20 times */
        ".balign 4096\n.globl spin_until_ticks\nspin_until_ticks: incl spins\njmp spin_other_page\n"
        ".balign 4096\nspin_other_page: cmpl $20, ticks\njb spin_until_ticks\nret\n"
        /* ebx += the immediate at rewrite_imm, which the block on the next page sets to ecx */
        ".balign 4096\n.globl rewrite_loop\nrewrite_loop: .byte 0x81, 0xc3\nrewrite_imm: .long 0\njmp rewrite_next_page\n"
        ".balign 4096\nrewrite_next_page: mov %ecx, rewrite_imm\ndec %ecx\njnz rewrite_loop\nret\n"
        ".balign 4096\n");

static void set_gate(int v, void (*fn)(void), u8 attr) {
    idt[v] = gate_to((u32) fn, KERNEL_CS, attr);
}

static void counts(const char *what) {
    puts(what);
    puts(": int 0x80 ");
    putdec(int_count);
    puts(", #GP ");
    putdec(gp_count);
    puts("\n");
    int_count = 0;
    gp_count = 0;
}

static void across_rings(void) {
    __asm__ volatile("mov %0, %%ecx\n call shared_loop" : : "i"(ITERATIONS) : "eax", "ecx", "memory", "cc");
    counts("ring 0 loop");
    __asm__ volatile("call enter_user" ::: "eax", "ecx", "edx", "memory", "cc");
    counts("ring 3 loop");
    __asm__ volatile("mov %0, %%ecx\n call shared_loop" : : "i"(ITERATIONS) : "eax", "ecx", "memory", "cc");
    counts("ring 0 loop again");
}

static void across_interrupts(void) {
    timer_irq0_at_1khz();
    __asm__ volatile("sti\n call spin_until_ticks\n cli" ::: "memory", "cc");
    outb(0x21, 0xff);
    puts("timer ticks seen in a spinning chain: ");
    putdec(ticks >= 20);
    puts(spins > 0 ? ", spun\n" : ", never spun\n");
}

static void across_a_rewritten_page(void) {
    u32 sum;
    __asm__ volatile("xor %%ebx, %%ebx\n mov %1, %%ecx\n call rewrite_loop" : "=b"(sum) : "i"(ITERATIONS) : "ecx", "memory", "cc");
    puts("sum over the rewritten immediate: ");
    puthex(sum, 8);
    puts("\n");
}

static u32 call_remapped(void) {
    u32 v;
    __asm__ volatile("call *%1" : "=a"(v) : "r"(REMAPPED) : "memory", "cc");
    return v;
}

static void across_remapped_pages(void) {
    static const u8 returns_one[] = {0xb8, 1, 0, 0, 0, 0xc3};      /* mov $1, %eax; ret */
    static const u8 returns_two[] = {0xb8, 2, 0, 0, 0, 0xc3};      /* mov $2, %eax; ret */
    memcpy(frames[0], returns_one, sizeof returns_one);
    memcpy(frames[1], returns_two, sizeof returns_two);
    for (int i = 0; i < 8; i++) {
        directory[i] = (u32) i << 22 | 0x87;                       /* identity, 4 MiB, user, writable */
    }
    directory[REMAPPED >> 22] = (u32) remap_table | 7;
    remap_table[0] = (u32) frames[0] | 7;
    __asm__ volatile("mov %0, %%cr3" : : "r"(directory) : "memory");
    set_cr4(cr4() | 0x10);                                         /* PSE */
    set_cr0(cr0() | 0x80000000);
    u32 sum = 0;
    for (int i = 0; i < ITERATIONS; i++) {
        remap_table[0] = (u32) frames[i & 1] | 7;
        invlpg(REMAPPED);
        sum += call_remapped();
    }
    puts("sum over a page remapped with invlpg: ");
    putdec(sum);
    sum = 0;
    for (int i = 0; i < ITERATIONS; i++) {
        remap_table[0] = (u32) frames[(i >> 1) & 1] | 7;
        reload_cr3();
        sum += call_remapped();
    }
    puts(", with CR3 reloads: ");
    putdec(sum);
    puts("\n");
}

void payload_main(void) {
    serial_and_quiet_pics();

    gdt[3] = segment(0, 0xfffff, 0xfa, 0xc);        /* 0x18 user code */
    gdt[4] = segment(0, 0xfffff, 0xf2, 0xc);        /* 0x20 user data */
    gdt[5] = segment((u32) &tss, sizeof tss - 1, 0x89, 0); /* 0x28 available 32-bit TSS */
    load_flat_gdt(gdt, sizeof gdt);
    set_gate(13, stub_gp, 0x8e);
    set_gate(0x80, stub_80, 0xee);                  /* interrupt gate, DPL 3 */
    set_gate(0x81, stub_81, 0xee);
    set_gate(0x20, stub_irq0, 0x8e);
    idtr.limit = sizeof idt - 1;
    idtr.base = (u32) idt;
    __asm__ volatile("lidt %0" : : "m"(idtr));
    memset(&tss, 0, sizeof tss);
    tss.esp0 = (u32) &kernel_stack[sizeof kernel_stack];
    tss.ss0 = KERNEL_DS;
    tss.iomap = sizeof tss;
    __asm__ volatile("ltr %w0" : : "r"(TSS_SEL));

    puts("chain test\n");
    across_a_rewritten_page();
    across_interrupts();
    across_rings();
    across_remapped_pages();
    puts("chain done\n");
}
