#include "lib.h"

/* Privilege levels: a TSS with ring-0 stack and I/O bitmap, ring-3 code and data segments,
 * iret to ring 3, int 0x80 back through a DPL-3 trap gate with the stack switch checked,
 * privileged instructions and a DPL-0 gate from ring 3 (#GP with error codes), segment loads
 * refused (#GP, #NP), an LDT selector, lar/lsl/verr/verw, popf under IOPL, the I/O bitmap,
 * CR4.TSD, sysenter/sysexit, a call gate with a parameter, and lret back to ring 3.
 * Every line is compared with Debian's QEMU; nothing here states what the answer should be. */

#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define USER_CS 0x1b
#define USER_DS 0x23
#define TSS_SEL 0x28
#define LDT_SEL 0x30
#define ABSENT_SEL 0x3b
#define KDATA2_SEL 0x40
#define CALL_GATE_SEL 0x4b
#define LDT_DATA_SEL 0x07

struct frame { u32 edi, esi, ebp, esp_unused, ebx, edx, ecx, eax, vector, error, eip, cs, eflags, esp, ss; };
struct tss {
    u32 link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
    u32 es, cs, ss, ds, fs, gs, ldt;
    u16 trap, iomap;
    u8 bitmap[128];
    u8 terminator;
} __attribute__((packed));

static u64 gdt[11] __attribute__((aligned(8)));
static u64 ldt[1] __attribute__((aligned(8)));
static struct gate idt[256];
static struct tss tss __attribute__((aligned(16)));
static struct { u16 limit; u32 base; } __attribute__((packed)) gdtr, idtr;
static u8 kernel_stack[4096] __attribute__((aligned(16)));
static u8 sysenter_stack[1024] __attribute__((aligned(16)));
static u8 user_stack[4096] __attribute__((aligned(16)));

volatile u32 resume, expected, kernel_esp;
struct { u32 offset; u16 selector; } __attribute__((packed)) far_ptr;
volatile u32 saved_ebx;
volatile const char *test_name;
volatile u32 seen_cs, seen_ss, seen_esp, seen_param, seen_old_esp, seen_old_ss, seen_ret_cs;

extern void enter_user(u32 entry, u32 user_esp);
extern void back_to_kernel(void);
extern void user_entry(void);
extern void sysenter_entry(void);
extern void gate_target(void);
extern void stub_ud(void), stub_ts(void), stub_np(void), stub_ss(void), stub_gp(void), stub_80(void), stub_81(void);
extern void stub_bp(void), stub_of(void), stub_irq0(void);
volatile u32 irq_seen, irq_cs, irq_ss, irq_stack_ok;

__asm__(".globl stub_ud\nstub_ud: pushl $0\npushl $6\njmp common\n"
        ".globl stub_ts\nstub_ts: pushl $10\njmp common\n"
        ".globl stub_np\nstub_np: pushl $11\njmp common\n"
        ".globl stub_ss\nstub_ss: pushl $12\njmp common\n"
        ".globl stub_gp\nstub_gp: pushl $13\njmp common\n"
        ".globl stub_80\nstub_80: pushl $0\npushl $0x80\njmp common\n"
        ".globl stub_81\nstub_81: pushl $0\npushl $0x81\njmp common\n"
        ".globl stub_bp\nstub_bp: pushl $0\npushl $3\njmp common\n"
        ".globl stub_of\nstub_of: pushl $0\npushl $4\njmp common\n"
        ".globl stub_irq0\nstub_irq0: pushl $0\npushl $0x20\njmp common\n"
        "common: pusha\npush %esp\ncall handler\nadd $4, %esp\npopa\nadd $8, %esp\niret\n"
        /* enter_user(entry, user_esp): remembers the kernel stack, then irets to ring 3 */
        ".globl enter_user\nenter_user: push %ebp\npush %ebx\npush %esi\npush %edi\n"
        "mov %esp, kernel_esp\nmov 20(%esp), %eax\nmov 24(%esp), %ecx\n"
        "pushl $0x23\npush %ecx\npushl $0x002\npushl $0x1b\npush %eax\niret\n"
        ".globl back_to_kernel\nback_to_kernel: mov $0x10, %ax\nmov %ax, %ds\nmov %ax, %es\nmov %ax, %ss\n"
        "mov kernel_esp, %esp\npop %edi\npop %esi\npop %ebx\npop %ebp\nret\n"
        /* ring 3 starts here: note what iret left in the data segment registers, then load ours */
        ".globl user_entry\nuser_entry: mov %ds, %eax\nmov %es, %ebx\nmov %fs, %ecx\nmov %gs, %edx\n"
        "mov $0x23, %si\nmov %si, %ds\nmov %si, %es\n"
        "push %edx\npush %ecx\npush %ebx\npush %eax\ncall user_main\n"
        "1: jmp 1b\n"
        /* sysenter lands here in ring 0: note CS, SS, ESP, go back with sysexit (ECX, EDX kept) */
        ".globl sysenter_entry\nsysenter_entry: mov %cs, seen_cs\nmov %ss, seen_ss\nmov %esp, seen_esp\nsysexit\n"
        /* the call gate's target in ring 0: the copied parameter and the caller's SS:ESP on the new stack */
        ".globl gate_target\ngate_target: mov %cs, seen_cs\nmov %ss, seen_ss\nmov %esp, seen_esp\n"
        "mov 4(%esp), %eax\nmov %eax, seen_ret_cs\nmov 8(%esp), %eax\nmov %eax, seen_param\n"
        "mov 12(%esp), %eax\nmov %eax, seen_old_esp\nmov 16(%esp), %eax\nmov %eax, seen_old_ss\nlret $4\n");

static void set_gate(int v, void (*fn)(void), u8 attr) {
    idt[v] = gate_to((u32) fn, KERNEL_CS, attr);
}

static void hex_field(const char *name, u32 v, int digits) {
    puts(name);
    puthex(v, digits);
}

void handler(struct frame *f) {
    u32 cs, esp_at_entry = (u32) &f->eip;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    if (f->vector == 0x20) {
        irq_cs = f->cs;
        irq_ss = f->ss;
        irq_stack_ok = esp_at_entry + 20 == (u32) &kernel_stack[sizeof kernel_stack];
        irq_seen = 1;
        outb(0x21, 0xff);                           /* one tick is enough */
        outb(0x20, 0x20);
        return;
    }
    if (f->vector == 3 || f->vector == 4) {
        puts(f->vector == 3 ? "int3" : "into");
        puts(" from ring 3: vector ");
        putdec(f->vector);
        puts(f->eip == resume ? " eip after the instruction" : " eip WRONG");
        hex_field(" cs=", f->cs, 4);
        hex_field(" ss=", f->ss, 4);
        puts("\n");
        return;
    }
    if (f->vector == 0x80) {
        if (f->eax == 3) {
            /* the PIT's IRQ 0 on vector 0x20, unmasked; ring 3 gets IF=1 */
            outb(0x20, 0x11); outb(0x21, 0x20); outb(0x21, 4); outb(0x21, 1);
            outb(0xa0, 0x11); outb(0xa1, 0x28); outb(0xa1, 2); outb(0xa1, 1);
            outb(0xa1, 0xff);
            outb(0x43, 0x34); outb(0x40, 0x00); outb(0x40, 0x10);
            outb(0x21, 0xfe);
            f->eflags |= 0x200;
            return;
        }
        if (f->eax == 0) {
            back_to_kernel();
        }
        puts("int 0x80: handler cs=");
        puthex(cs, 4);
        puts((f->cs & 3) == 3 && esp_at_entry + 20 == (u32) &kernel_stack[sizeof kernel_stack]
                     ? " stack switched to esp0" : " stack NOT switched");
        hex_field(" saved cs=", f->cs, 4);
        hex_field(" ss=", f->ss, 4);
        puts(f->esp == f->ebp ? " esp ok" : " esp WRONG");
        hex_field(" eflags=", f->eflags, 8);
        hex_field(" eax=", f->eax, 8);
        puts("\n");
        if (f->eax == 2) {
            f->eflags |= 0x3000; /* IOPL 3 for the rest of ring 3 */
        }
        return;
    }
    puts((const char *) test_name);
    puts(": vector ");
    putdec(f->vector);
    hex_field(" error ", f->error, 4);
    puts(f->eip == expected ? " eip ok" : " eip WRONG");
    hex_field(" cs=", f->cs, 4);
    if ((f->cs & 3) == 3) {
        hex_field(" ss=", f->ss, 4);
    }
    puts("\n");
    f->eip = resume;
}

/* Runs setup, then one instruction expected to fault: the handler reports it and resumes after it. */
#define FAULT_AFTER(name, setup, insn, ...)                                                          \
    do {                                                                                             \
        test_name = name;                                                                            \
        __asm__ volatile("movl $1f, resume\n movl $2f, expected\n" setup "\n2: " insn "\n1:" ::: __VA_ARGS__); \
    } while (0)
#define FAULT(name, insn, ...) FAULT_AFTER(name, "", insn, __VA_ARGS__)

static u32 probe(int which, u32 selector, u32 *result) {
    u8 zf = 0;
    u32 r = 0xdeadbeef;
    switch (which) {
    case 0: __asm__ volatile("lar %w2, %0\n setz %1" : "+r"(r), "=q"(zf) : "r"(selector) : "cc"); break;
    case 1: __asm__ volatile("lsl %w2, %0\n setz %1" : "+r"(r), "=q"(zf) : "r"(selector) : "cc"); break;
    case 2: __asm__ volatile("verr %w1\n setz %0" : "=q"(zf) : "r"(selector) : "cc"); break;
    default: __asm__ volatile("verw %w1\n setz %0" : "=q"(zf) : "r"(selector) : "cc"); break;
    }
    *result = r;
    return zf;
}

static void report_probe(const char *name, int which, u32 selector) {
    u32 result;
    u32 zf = probe(which, selector, &result);
    puts(name);
    hex_field(" ", selector, 4);
    puts(zf ? ": ZF=1" : ": ZF=0");
    if (zf && which < 2) {
        hex_field(" value=", result, 8);
    }
    puts("\n");
}

static u32 flags_now(void) {
    u32 f;
    __asm__ volatile("pushf\n pop %0" : "=r"(f));
    return f;
}

static void syscall(u32 number) {
    /* ebp carries the user esp at the int so the handler can compare the saved one */
    __asm__ volatile("push %%ebp\n mov %%esp, %%ebp\n int $0x80\n pop %%ebp" : : "a"(number) : "memory");
}

void user_main(u32 ds, u32 es, u32 fs, u32 gs) {
    u32 cs, ss, v;
    __asm__ volatile("mov %%cs, %0\n mov %%ss, %1" : "=r"(cs), "=r"(ss));
    puts("ring 3: cs=");
    puthex(cs, 4);
    hex_field(" ss=", ss, 4);
    hex_field(" after iret ds=", ds, 4);
    hex_field(" es=", es, 4);
    hex_field(" fs=", fs, 4);
    hex_field(" gs=", gs, 4);
    hex_field(" eflags=", flags_now(), 8);
    puts("\n");

    syscall(1);

    FAULT("cli at IOPL 0", "cli", "memory");
    FAULT("hlt", "hlt", "memory");
    FAULT("mov from cr0", "mov %%cr0, %%eax", "eax", "memory");
    FAULT("mov to cr3", "mov %%eax, %%cr3", "memory");
    FAULT("lgdt", "lgdt gdtr", "memory");
    FAULT("lidt", "lidt idtr", "memory");
    FAULT("ltr", "ltr %%ax", "memory");
    FAULT("lldt", "lldt %%ax", "memory");
    FAULT("wrmsr", "wrmsr", "memory");
    FAULT("rdmsr", "rdmsr", "eax", "edx", "memory");
    FAULT("clts", "clts", "memory");
    FAULT("wbinvd", "wbinvd", "memory");
    FAULT("invlpg", "invlpg (%%esp)", "memory");
    FAULT("mov to dr7", "mov %%eax, %%dr7", "memory");
    FAULT("in from port 0x80 (bitmap)", "inb $0x80, %%al", "eax", "memory");
    FAULT("out to port 0x70 (bitmap)", "outb %%al, $0x70", "memory");
    FAULT_AFTER("out to port 0x400 (past bitmap)", "mov $0x400, %%dx", "outb %%al, %%dx", "edx", "memory");
    FAULT("rdtsc with CR4.TSD", "rdtsc", "eax", "edx", "memory");
    FAULT("int 0x81 (DPL 0 gate)", "int $0x81", "memory");
    FAULT("sysexit", "sysexit", "memory");
    FAULT_AFTER("mov ds, DPL 0 data", "mov $0x40, %%ax", "mov %%ax, %%ds", "eax", "memory");
    FAULT_AFTER("mov ds, not present", "mov $0x3b, %%ax", "mov %%ax, %%ds", "eax", "memory");
    FAULT_AFTER("mov ds, beyond the GDT", "mov $0x1003, %%ax", "mov %%ax, %%ds", "eax", "memory");
    FAULT_AFTER("mov ds, the TSS", "mov $0x2b, %%ax", "mov %%ax, %%ds", "eax", "memory");
    FAULT_AFTER("mov ss, DPL 0 data", "mov $0x10, %%ax", "mov %%ax, %%ss", "eax", "memory");
    FAULT_AFTER("mov ss, not present", "mov $0x3b, %%ax", "mov %%ax, %%ss", "eax", "memory");
    FAULT_AFTER("mov ss, null", "xor %%eax, %%eax", "mov %%ax, %%ss", "eax", "memory");
    FAULT_AFTER("mov ss, code", "mov $0x1b, %%ax", "mov %%ax, %%ss", "eax", "memory");
    FAULT("ljmp to ring 0 code", "ljmp $0x08, $0", "memory");
    FAULT("ud2", "ud2", "memory");

    FAULT_AFTER("iret to a ring 0 CS", "pushl $0x23\n pushl %%esp\n pushl $0x2\n pushl $0x08\n pushl $0", "iret\n1: add $20, %%esp\n", "memory");
    FAULT_AFTER("lret to a ring 0 CS", "pushl $0x08\n pushl $0", "lret\n1: add $8, %%esp\n", "memory");
    __asm__ volatile("movl $1f, resume\n int3\n1:" ::: "memory");
    __asm__ volatile("movl $1f, resume\n mov $0x7fffffff, %%eax\n add $1, %%eax\n into\n1:" ::: "eax", "cc", "memory");

    /* an LDT data segment, loaded and used */
    __asm__ volatile("mov %1, %%ds\n mov (%2), %0\n mov %3, %%ds" : "=r"(v)
                     : "r"(LDT_DATA_SEL), "r"(&resume), "r"(USER_DS) : "memory");
    hex_field("LDT selector loaded, read through it ok=", v == resume, 1);
    puts("\n");

    /* far pointer loads: the segment register is checked first, the register is written after */
    u32 off, seg;
    far_ptr.offset = 0x1234;
    far_ptr.selector = LDT_DATA_SEL;
    __asm__ volatile("lfs far_ptr, %0\n mov %%fs, %1" : "=r"(off), "=r"(seg) : : "memory");
    hex_field("lfs: ", off, 8);
    hex_field(" fs=", seg, 4);
    far_ptr.selector = USER_DS;
    __asm__ volatile("lgs far_ptr, %0\n mov %%gs, %1" : "=r"(off), "=r"(seg) : : "memory");
    hex_field(" lgs: ", off, 8);
    hex_field(" gs=", seg, 4);
    __asm__ volatile("les far_ptr, %0\n mov %%es, %1" : "=r"(off), "=r"(seg) : : "memory");
    hex_field(" les: ", off, 8);
    hex_field(" es=", seg, 4);
    __asm__ volatile("mov %%esp, far_ptr\n lss far_ptr, %%esp\n mov %%ss, %0" : "=r"(seg) : : "memory");
    hex_field(" lss: ss=", seg, 4);
    puts("\n");
    far_ptr.selector = KERNEL_DS;
    test_name = "lfs of a DPL 0 segment";
    __asm__ volatile("movl $1f, resume\n movl $2f, expected\n mov $0x5555, %%ebx\n2: lfs far_ptr, %%ebx\n1: mov %%ebx, saved_ebx"
                     ::: "ebx", "memory");
    hex_field("  register after the refused lfs: ", saved_ebx, 8);
    puts("\n");

    report_probe("lar user code", 0, USER_CS);
    report_probe("lar user data", 0, USER_DS);
    report_probe("lar kernel code", 0, KERNEL_CS);
    report_probe("lar TSS", 0, TSS_SEL);
    report_probe("lar LDT data", 0, LDT_DATA_SEL);
    report_probe("lar null", 0, 0);
    report_probe("lsl user data", 1, USER_DS);
    report_probe("lsl kernel data", 1, KERNEL_DS | 3);
    report_probe("lsl call gate", 1, CALL_GATE_SEL);
    report_probe("lar call gate", 0, CALL_GATE_SEL);
    report_probe("verr user code", 2, USER_CS);
    report_probe("verw user code", 3, USER_CS);
    report_probe("verw user data", 3, USER_DS);
    report_probe("verr kernel data", 2, KERNEL_DS);
    report_probe("verr absent", 2, ABSENT_SEL);

    /* popf at IOPL 0 and CPL 3: IOPL and IF stay as they are */
    __asm__ volatile("pushl $0x3202\n popf" ::: "cc");
    hex_field("popf IOPL=3 IF=1 at CPL 3, IOPL 0: eflags=", flags_now(), 8);
    puts("\n");

    /* sysenter to ring 0 and sysexit back */
    __asm__ volatile("push %%ebp\n mov %%esp, %%ecx\n mov $1f, %%edx\n sysenter\n1: pop %%ebp"
                     ::: "ecx", "edx", "memory");
    __asm__ volatile("mov %%cs, %0\n mov %%ss, %1" : "=r"(cs), "=r"(ss));
    hex_field("sysenter: cs=", seen_cs, 4);
    hex_field(" ss=", seen_ss, 4);
    puts(seen_esp == (u32) &sysenter_stack[sizeof sysenter_stack] ? " esp=MSR" : " esp WRONG");
    hex_field("; sysexit: cs=", cs, 4);
    hex_field(" ss=", ss, 4);
    puts("\n");

    /* a far call through a DPL-3 call gate to ring 0 with one parameter, lret $4 back */
    u32 before, after;
    __asm__ volatile("mov %%esp, %0\n pushl $0x12345678\n lcall $0x4b, $0\n mov %%esp, %1"
                     : "=&r"(before), "=r"(after) : : "eax", "memory");
    hex_field("call gate: cs=", seen_cs, 4);
    hex_field(" ss=", seen_ss, 4);
    puts(seen_esp + 20 == (u32) &kernel_stack[sizeof kernel_stack] ? " esp0 stack" : " stack WRONG");
    hex_field(" param=", seen_param, 8);
    hex_field(" caller cs=", seen_ret_cs, 4);
    hex_field(" ss=", seen_old_ss, 4);
    puts(seen_old_esp == before - 4 ? " esp ok" : " esp WRONG");
    puts(after == before ? "; lret $4 back, esp restored\n" : "; lret esp WRONG\n");

    /* the kernel raises IOPL to 3: cli, in and popf of IF work, IOPL still cannot change */
    syscall(2);
    __asm__ volatile("cli");
    __asm__ volatile("inb $0x80, %%al" ::: "eax");
    hex_field("IOPL 3: cli and in 0x80 pass, eflags=", flags_now(), 8);
    __asm__ volatile("pushl $0x0202\n popf" ::: "cc");
    hex_field(", after popf IOPL=0 IF=1: ", flags_now(), 8);
    __asm__ volatile("pushl $0x3002\n popf" ::: "cc");
    hex_field(", after popf IF=0: ", flags_now(), 8);
    puts("\n");

    /* a hardware interrupt arriving in ring 3: the stack switch happens for it too */
    syscall(3);
    while (!irq_seen) {
        barrier();
    }
    hex_field("IRQ 0 in ring 3: saved cs=", irq_cs, 4);
    hex_field(" ss=", irq_ss, 4);
    puts(irq_stack_ok ? " on the esp0 stack\n" : " stack WRONG\n");

    syscall(0);
}

void payload_main(void) {
    serial_init();
    /* Firmware may leave the PIT running on an unmasked 8259: keep every line quiet. */
    outb(0x21, 0xff);
    outb(0xa1, 0xff);

    gdt[0] = 0;
    gdt[1] = segment(0, 0xfffff, 0x9a, 0xc);        /* 0x08 kernel code */
    gdt[2] = segment(0, 0xfffff, 0x92, 0xc);        /* 0x10 kernel data */
    gdt[3] = segment(0, 0xfffff, 0xfa, 0xc);        /* 0x18 user code (sysexit: SYSENTER_CS + 16) */
    gdt[4] = segment(0, 0xfffff, 0xf2, 0xc);        /* 0x20 user data (sysexit: SYSENTER_CS + 24) */
    gdt[5] = segment((u32) &tss, sizeof tss - 1, 0x89, 0); /* 0x28 available 32-bit TSS */
    gdt[6] = segment((u32) ldt, sizeof ldt - 1, 0x82, 0);  /* 0x30 LDT */
    gdt[7] = segment(0, 0xfffff, 0x72, 0xc);        /* 0x38 user data, not present */
    gdt[8] = segment(0, 0xfffff, 0x92, 0xc);        /* 0x40 kernel data */
    u32 target = (u32) gate_target;                 /* 0x48 call gate, DPL 3, one parameter */
    gdt[9] = (u64) (target & 0xffff) | (u64) KERNEL_CS << 16 | (u64) 1 << 32 | (u64) 0xec << 40 | (u64) (target >> 16) << 48;
    gdt[10] = segment(0x1000, 0xfff, 0x9e, 0x4);    /* 0x50 conforming code, unused */
    ldt[0] = segment(0, 0xfffff, 0xf2, 0xc);        /* LDT 0x07: user data */
    gdtr.limit = sizeof gdt - 1;
    gdtr.base = (u32) gdt;
    __asm__ volatile("lgdt %0\n ljmp $0x08, $1f\n1: mov $0x10, %%ax\n mov %%ax, %%ds\n mov %%ax, %%ss\n"
                     : : "m"(gdtr) : "eax", "memory");

    set_gate(6, stub_ud, 0x8e);
    set_gate(10, stub_ts, 0x8e);
    set_gate(11, stub_np, 0x8e);
    set_gate(12, stub_ss, 0x8e);
    set_gate(13, stub_gp, 0x8e);
    set_gate(0x80, stub_80, 0xef);                  /* trap gate, DPL 3 */
    set_gate(0x81, stub_81, 0x8e);                  /* interrupt gate, DPL 0 */
    set_gate(3, stub_bp, 0xee);                     /* int3: DPL 3 */
    set_gate(4, stub_of, 0xef);                     /* into: DPL 3 */
    set_gate(0x20, stub_irq0, 0x8e);
    set_gate(0x82, stub_81, 0x6e);                  /* DPL 3, not present */
    set_gate(0x83, stub_81, 0xee);
    idt[0x83].sel = KERNEL_DS;                      /* a gate to a data segment */
    idtr.limit = sizeof idt - 1;
    idtr.base = (u32) idt;
    __asm__ volatile("lidt %0" : : "m"(idtr));

    memset(&tss, 0, sizeof tss);
    tss.esp0 = (u32) &kernel_stack[sizeof kernel_stack];
    tss.ss0 = KERNEL_DS;
    tss.iomap = (u16) ((u32) tss.bitmap - (u32) &tss);
    memset(tss.bitmap, 0xff, sizeof tss.bitmap);
    tss.bitmap[0x3f8 / 8] = 0;                      /* COM1 0x3f8-0x3ff for ring 3 */
    tss.terminator = 0xff;
    __asm__ volatile("ltr %w0" : : "r"(TSS_SEL));
    __asm__ volatile("lldt %w0" : : "r"(LDT_SEL));
    u32 tr, ldtr;
    __asm__ volatile("str %0\n sldt %1" : "=r"(tr), "=r"(ldtr));
    hex_field("str=", tr, 4);
    hex_field(" sldt=", ldtr, 4);
    hex_field(" TSS descriptor type after ltr=", (u32) (gdt[5] >> 40) & 0xf, 1);
    hex_field(" user data accessed before use=", (u32) (gdt[4] >> 40) & 1, 1);
    puts("\n");
    FAULT_AFTER("ltr of a busy TSS", "mov $0x28, %%ax", "ltr %%ax", "eax", "memory");
    FAULT_AFTER("lldt of a data segment", "mov $0x10, %%ax", "lldt %%ax", "eax", "memory");

    /* sysenter MSRs: CS 0x08 (SS 0x10, user CS 0x1b, user SS 0x23) */
    __asm__ volatile("wrmsr" : : "c"(0x174), "a"(KERNEL_CS), "d"(0));
    __asm__ volatile("wrmsr" : : "c"(0x175), "a"((u32) &sysenter_stack[sizeof sysenter_stack]), "d"(0));
    __asm__ volatile("wrmsr" : : "c"(0x176), "a"((u32) sysenter_entry), "d"(0));

    u32 cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | 4));   /* CR4.TSD: rdtsc is ring 0 only */

    /* returns to ring 3 that the checks refuse, from ring 0 */
    FAULT_AFTER("iret to ring 3 with a DPL 0 SS", "pushl $0x10\n pushl $0\n pushl $0x2\n pushl $0x1b\n pushl $0",
                "iret\n1: add $20, %%esp\n", "memory");
    FAULT_AFTER("iret to ring 3 with an absent SS", "pushl $0x3b\n pushl $0\n pushl $0x2\n pushl $0x1b\n pushl $0",
                "iret\n1: add $20, %%esp\n", "memory");
    FAULT_AFTER("iret to ring 3 with SS RPL 0", "pushl $0x20\n pushl $0\n pushl $0x2\n pushl $0x1b\n pushl $0",
                "iret\n1: add $20, %%esp\n", "memory");
    FAULT_AFTER("iret to a data segment as CS", "pushl $0x23\n pushl $0\n pushl $0x2\n pushl $0x23\n pushl $0",
                "iret\n1: add $20, %%esp\n", "memory");
    FAULT_AFTER("lret to ring 3 with a DPL 0 SS", "pushl $0x10\n pushl $0\n pushl $0x1b\n pushl $0",
                "lret\n1: add $16, %%esp\n", "memory");
    FAULT("int through an absent gate", "int $0x82", "memory");
    FAULT("int through a gate to a data segment", "int $0x83", "memory");

    /* kernel data segments in ES/FS, null GS: iret to ring 3 must null the ones ring 3 cannot use */
    __asm__ volatile("mov %0, %%es\n mov %0, %%fs\n mov %1, %%gs" : : "r"(KERNEL_DS), "r"(0));
    enter_user((u32) user_entry, (u32) &user_stack[sizeof user_stack]);

    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4 & ~4u));
    hex_field("back in ring 0 after int 0x80; user data accessed=", (u32) (gdt[4] >> 40) & 1, 1);
    puts("\nring3 done\n");
}
