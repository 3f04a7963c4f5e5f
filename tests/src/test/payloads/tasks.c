#include "lib.h"

/* Hardware task switches between 32-bit TSSes: a double fault through a task gate (how Linux
 * i386 takes #DF), iret with NT back to the faulting task, a far call to a TSS and iret back,
 * a far jmp through a task gate and a far jmp back. Each task prints what it sees (TR, the back
 * link, NT, CR0.TS, busy bits, the saved EIP and the error code); Debian's QEMU is the oracle. */

#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define MAIN_TSS 0x18
#define DF_TSS 0x20
#define CALLED_TSS 0x28
#define JUMPED_TSS 0x30
#define JUMP_GATE 0x38

struct tss {
    u32 link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
    u32 es, cs, ss, ds, fs, gs, ldt;
    u16 trap, iomap;
} __attribute__((packed));

static u64 gdt[8] __attribute__((aligned(8)));
static struct gate idt[32];
static struct tss main_tss, df_tss, called_tss, jumped_tss;
static struct { u16 limit; u32 base; } __attribute__((packed)) idtr;
static u8 df_stack[2048] __attribute__((aligned(16)));
static u8 called_stack[2048] __attribute__((aligned(16)));
static u8 jumped_stack[2048] __attribute__((aligned(16)));
extern char gp_at[], after_df[];

static void hex_field(const char *name, u32 v, int digits) {
    puts(name);
    puthex(v, digits);
}

static u32 tr(void) {
    u32 v;
    __asm__ volatile("str %0" : "=r"(v));
    return v;
}

static u32 eflags(void) {
    u32 f;
    __asm__ volatile("pushf\n pop %0" : "=r"(f));
    return f;
}

static void busy_bits(void) {
    hex_field(" types main=", (u32) (gdt[MAIN_TSS / 8] >> 40) & 0xf, 1);
    hex_field(" df=", (u32) (gdt[DF_TSS / 8] >> 40) & 0xf, 1);
    hex_field(" called=", (u32) (gdt[CALLED_TSS / 8] >> 40) & 0xf, 1);
    hex_field(" jumped=", (u32) (gdt[JUMPED_TSS / 8] >> 40) & 0xf, 1);
}

static void clear_ts(void) {
    __asm__ volatile("clts");
}

/* Each task's entry: the double-fault task pops its error code, reports, fixes the faulting
 * task's saved EIP, and returns with iret (NT is set, so iret switches back); when the task is
 * entered again it continues after its iret or ljmp, so each entry loops. */
volatile u32 df_error, df_esp;
extern void df_entry(void), called_entry(void), jumped_entry(void);
__asm__(".globl df_entry\ndf_entry: popl df_error\nmov %esp, df_esp\ncall df_report\niret\njmp df_entry\n"
        ".globl called_entry\ncalled_entry: call called_report\niret\njmp called_entry\n"
        ".globl jumped_entry\njumped_entry: call jumped_report\nljmp $0x18, $0\njmp jumped_entry\n");

void df_report(void) {
    hex_field("double fault task: tr=", tr(), 4);
    hex_field(" link=", df_tss.link, 4);
    hex_field(" error=", df_error, 8);
    puts(df_esp == (u32) &df_stack[sizeof df_stack] ? " on its own stack" : " stack WRONG");
    puts(main_tss.eip == (u32) gp_at ? " saved eip=faulting instruction" : " saved eip WRONG");
    hex_field(" saved eax=", main_tss.eax, 8);
    hex_field(" NT=", (eflags() >> 14) & 1, 1);
    hex_field(" TS=", (cr0() >> 3) & 1, 1);
    busy_bits();
    puts("\n");
    clear_ts();
    main_tss.eip = (u32) after_df;
}

void called_report(void) {
    hex_field("called task: tr=", tr(), 4);
    hex_field(" link=", called_tss.link, 4);
    hex_field(" NT=", (eflags() >> 14) & 1, 1);
    hex_field(" caller's saved eax=", main_tss.eax, 8);
    busy_bits();
    puts("\n");
    clear_ts();
}

void jumped_report(void) {
    hex_field("jumped task: tr=", tr(), 4);
    hex_field(" link=", jumped_tss.link, 4);
    hex_field(" NT=", (eflags() >> 14) & 1, 1);
    busy_bits();
    puts("\n");
    clear_ts();
}

static void prepare(struct tss *t, void (*entry)(void), u8 *stack_top) {
    memset(t, 0, sizeof *t);
    t->eip = (u32) entry;
    t->eflags = 0x2;
    t->esp = (u32) stack_top;
    t->cs = KERNEL_CS;
    t->ss = t->ds = t->es = t->fs = t->gs = KERNEL_DS;
    t->iomap = sizeof *t;
}

void payload_main(void) {
    serial_and_quiet_pics();

    gdt[3] = segment((u32) &main_tss, sizeof main_tss - 1, 0x89, 0);
    gdt[4] = segment((u32) &df_tss, sizeof df_tss - 1, 0x89, 0);
    gdt[5] = segment((u32) &called_tss, sizeof called_tss - 1, 0x89, 0);
    gdt[6] = segment((u32) &jumped_tss, sizeof jumped_tss - 1, 0x89, 0);
    gdt[7] = (u64) JUMPED_TSS << 16 | (u64) 0x85 << 40;     /* task gate to the jumped task */
    load_flat_gdt(gdt, sizeof gdt);

    memset(&main_tss, 0, sizeof main_tss);
    main_tss.iomap = sizeof main_tss;
    prepare(&df_tss, df_entry, &df_stack[sizeof df_stack]);
    prepare(&called_tss, called_entry, &called_stack[sizeof called_stack]);
    prepare(&jumped_tss, jumped_entry, &jumped_stack[sizeof jumped_stack]);

    /* #DF through a task gate; #GP's gate is absent, so a #GP becomes #NP on the way: a double fault */
    idt[8] = (struct gate) {0, DF_TSS, 0, 0x85, 0};
    idt[13] = (struct gate) {0, KERNEL_CS, 0, 0x0e, 0};
    idtr.limit = sizeof idt - 1;
    idtr.base = (u32) idt;
    __asm__ volatile("lidt %0" : : "m"(idtr));
    __asm__ volatile("ltr %w0" : : "r"(MAIN_TSS));
    hex_field("main task: tr=", tr(), 4);
    busy_bits();
    puts("\n");

    __asm__ volatile("mov $0x1234, %%ax\n .globl gp_at\ngp_at: mov %%ax, %%ds\n .globl after_df\nafter_df:"
                     ::: "eax", "memory");
    hex_field("back from the double fault task: tr=", tr(), 4);
    hex_field(" NT=", (eflags() >> 14) & 1, 1);
    hex_field(" TS=", (cr0() >> 3) & 1, 1);
    busy_bits();
    puts("\n");
    clear_ts();

    __asm__ volatile("mov $0xcafe, %%eax\n lcall $0x28, $0" ::: "eax", "memory");
    hex_field("back from the called task: tr=", tr(), 4);
    hex_field(" NT=", (eflags() >> 14) & 1, 1);
    busy_bits();
    puts("\n");
    clear_ts();

    __asm__ volatile("ljmp $0x38, $0" ::: "memory");
    hex_field("back from the jumped task: tr=", tr(), 4);
    hex_field(" NT=", (eflags() >> 14) & 1, 1);
    busy_bits();
    puts("\ntasks done\n");
}
