#include "lib.h"

/* CPU exceptions and int n through the IDT: each handler reports the vector, the error code,
 * where the saved eip points, and IF in the saved EFLAGS, then resumes after the test. */

struct frame { u32 edi, esi, ebp, esp, ebx, edx, ecx, eax, vector, error, eip, cs, eflags; };
static struct gate idt[256];
static struct { u16 limit; u32 base; } __attribute__((packed)) idtr;
volatile u32 resume;
extern char de_at[], gp_at[], ud_at[], int_after[], trap_after[];

extern void de_stub(void), gp_stub(void), ud_stub(void), sw_stub(void), trap_stub(void);
__asm__(".globl de_stub\nde_stub: pushl $0\npushl $0\njmp common\n"
        ".globl ud_stub\nud_stub: pushl $0\npushl $6\njmp common\n"
        ".globl gp_stub\ngp_stub: pushl $13\njmp common\n"
        ".globl sw_stub\nsw_stub: pushl $0\npushl $0x30\njmp common\n"
        ".globl trap_stub\ntrap_stub: pushl $0\npushl $0x31\njmp common\n"
        "common: pusha\npush %esp\ncall handler\nadd $4, %esp\npopa\nadd $8, %esp\niret\n");

static void report(const char *name, struct frame *f, const char *expected_eip) {
    puts(name);
    puts(": vector ");
    putdec(f->vector);
    puts(" error ");
    puthex(f->error, 4);
    puts(f->eip == (u32) expected_eip ? " eip ok" : " eip WRONG");
    puts((f->eflags & 0x200) ? " IF=1" : " IF=0");
    puts(f->cs == 0x08 ? " cs ok\n" : " cs WRONG\n");
}

void handler(struct frame *f) {
    u32 flags;
    __asm__ volatile("pushf; pop %0" : "=r"(flags));
    switch (f->vector) {
    case 0: report("divide error", f, de_at); break;
    case 6: report("invalid opcode", f, ud_at); break;
    case 13: report("general protection", f, gp_at); break;
    case 0x30: report("int 0x30 (interrupt gate)", f, int_after); break;
    case 0x31: report("int 0x31 (trap gate)", f, trap_after); break;
    }
    puts((flags & 0x200) ? "  handler runs with IF=1\n" : "  handler runs with IF=0\n");
    f->eip = resume;
}

static void set_gate(int v, void (*fn)(void), u8 attr) {
    idt[v] = gate_to((u32) fn, 0x08, attr);
}

void payload_main(void) {
    serial_init();
    set_gate(0, de_stub, 0x8e);
    set_gate(6, ud_stub, 0x8e);
    set_gate(13, gp_stub, 0x8e);
    set_gate(0x30, sw_stub, 0x8e);
    set_gate(0x31, trap_stub, 0x8f);
    idtr.limit = sizeof idt - 1;
    idtr.base = (u32) idt;
    __asm__ volatile("lidt %0" : : "m"(idtr));
    __asm__ volatile("movl $1f, resume\n xor %%ecx, %%ecx\n xor %%edx, %%edx\n mov $7, %%eax\n"
                     ".globl de_at\nde_at: div %%ecx\n1:" ::: "eax", "ecx", "edx", "memory");
    __asm__ volatile("movl $1f, resume\n.globl ud_at\nud_at: ud2\n1:" ::: "memory");
    __asm__ volatile("movl $1f, resume\n mov $0x99, %%ax\n.globl gp_at\ngp_at: mov %%ax, %%ds\n1:" ::: "eax", "memory");
    /* Firmware may leave the PIT running on an unmasked 8259 (SeaBIOS does): mask every line
     * so the sti below lets only the software interrupts in. */
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    __asm__ volatile("sti");
    __asm__ volatile("movl $1f, resume\n int $0x30\n.globl int_after\nint_after:\n1:" ::: "memory");
    __asm__ volatile("movl $1f, resume\n int $0x31\n.globl trap_after\ntrap_after:\n1:" ::: "memory");
    __asm__ volatile("cli");
    puts("exceptions done\n");
}
