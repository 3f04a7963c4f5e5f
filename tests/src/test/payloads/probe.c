#include "probe.h"

struct frame { u32 edi, esi, ebp, esp, ebx, edx, ecx, eax, vector, error, eip, cs, eflags; };
static struct gate idt[256];
static struct { u16 limit; u32 base; } __attribute__((packed)) idtr;
volatile u32 resume, faults, last_cr2, last_error, last_eip;
extern char pf_stub[];

__asm__(".globl pf_stub\npf_stub: pushl $14\npusha\npush %esp\ncall pf_handler\nadd $4, %esp\npopa\nadd $8, %esp\niret\n");

void pf_handler(struct frame *f) {
    u32 cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    faults++;
    last_cr2 = cr2;
    last_error = f->error;
    last_eip = f->eip;
    f->eip = resume;
}

void install_page_fault_probe(void) {
    idt[14] = gate_to((u32) pf_stub, 0x08, 0x8e);
    idtr.limit = sizeof idt - 1;
    idtr.base = (u32) idt;
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

void line(const char *what, u32 v) {
    puts(what);
    puts(" ");
    puthex(v, 8);
    puts("\n");
}

u32 probe_read(u32 address) {
    u32 v = 0xdeadbeef;
    faults = 0;
    __asm__ volatile("movl $1f, resume\n mov (%1), %0\n1:" : "+r"(v) : "r"(address) : "memory");
    return v;
}

void probe_write(u32 address, u32 value) {
    faults = 0;
    __asm__ volatile("movl $1f, resume\n mov %1, (%0)\n1:" : : "r"(address), "r"(value) : "memory");
}

void report_fault(const char *what) {
    puts(what);
    if (faults) {
        puts(": #PF cr2 ");
        puthex(last_cr2, 8);
        puts(" error ");
        puthex(last_error, 2);
        puts("\n");
    } else {
        puts(": no fault\n");
    }
}
