#include "lib.h"

/* Random instruction bytes in 64-bit ring 0 (seed=N rounds=M on the command line; built by
 * TcgFuzzTest). The 32-bit part below reads the command line, builds 4-level page tables (the
 * 64 MiB of RAM identity-mapped with 2 MiB pages, the rest of the first GiB absent), a 64-bit IDT
 * whose every vector goes through IST1 to the next round, and enters long mode; fuzz64_round (in
 * 64-bit code) then, round after round, reloads the GDT, IDT, segments, paging, the 8259 and a
 * 1 kHz PIT tick, puts 48 random bytes between int3s and jumps there with IF=1. What is checked
 * is only that the emulator never fails inside itself. */

u64 pml4[512] __attribute__((aligned(4096)));
u64 pdpt[512] __attribute__((aligned(4096)));
u64 pd[512] __attribute__((aligned(4096)));
u64 idt64[512] __attribute__((aligned(4096)));
u8 arena[8192] __attribute__((aligned(4096)));
u8 fuzz_stack[8192] __attribute__((aligned(16)));
u8 ist_stack[8192] __attribute__((aligned(16)));
u32 tss64[26] __attribute__((aligned(16)));
u64 gdt64[10] __attribute__((aligned(16)));
volatile u32 state, rounds, round_limit;
extern char vectors64[];
extern void enter_long_mode(void);

/* 256 entry points of 16 bytes each: push the vector, jump to the next round */
__asm__(".code64\n.globl vectors64\n.align 16\nvectors64:\n"
        ".set v, 0\n.rept 256\n.align 16\npushq $v\njmp fuzz64_next\n.set v, v+1\n.endr\n.code32\n");

void payload_main(void) {
    serial_init();
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    state = cmdline_number("seed", 1) * 2654435761u | 1;
    round_limit = cmdline_number("rounds", 3000);
    pml4[0] = (u32) pdpt | 3;
    pdpt[0] = (u32) pd | 3;
    for (u32 i = 0; i < 32; i++) {
        pd[i] = (u64) i << 21 | 0x83;
    }
    for (int v = 0; v < 256; v++) {
        u32 a = (u32) vectors64 + 16 * v;
        /* 64-bit interrupt gate, DPL 3 (int n works too), IST1, selector 0x10 */
        idt64[2 * v] = (u64) (a & 0xffff) | (u64) 0x10 << 16 | (u64) 1 << 32 | (u64) 0xee << 40 | (u64) (a >> 16) << 48;
        idt64[2 * v + 1] = 0;
    }
    gdt64[1] = 0x00cf9a000000ffffull;   /* 0x08: 32-bit code */
    gdt64[2] = 0x00af9a000000ffffull;   /* 0x10: 64-bit code */
    gdt64[3] = 0x00cf92000000ffffull;   /* 0x18: data */
    u32 t = (u32) tss64;
    gdt64[4] = 0x67 | (u64) (t & 0xffffff) << 16 | (u64) 0x89 << 40 | (u64) (t >> 24) << 56;
    gdt64[5] = 0;
    u32 ist = (u32) ist_stack + sizeof ist_stack;
    tss64[1] = ist;                     /* RSP0 */
    tss64[9] = ist;                     /* IST1 (offset 0x24) */
    puts("fuzz64: seed ");
    putdec(state);
    puts("\n");
    enter_long_mode();
}

/* Called from 64-bit code (System V: no arguments); 32-bit C is not callable from there, so
 * everything the round needs is done in the assembly below. */
__asm__(
    ".data\n.align 16\ngdt64_descriptor: .word 6 * 8 - 1\n .long gdt64, 0\n"
    "idt64_descriptor: .word 256 * 16 - 1\n .long idt64, 0\n"
    "done_message: .asciz \" rounds\\nfuzz64 done\\n\"\n"
    ".text\n.code32\n.globl enter_long_mode\nenter_long_mode:\n"
    " mov $0x20, %eax\n mov %eax, %cr4\n mov $pml4, %eax\n mov %eax, %cr3\n"
    " mov $0xc0000080, %ecx\n rdmsr\n or $0x101, %eax\n wrmsr\n"
    " mov $0x80000011, %eax\n mov %eax, %cr0\n ljmp $0x18, $1f\n"
    ".code64\n1:\n"
    " lgdt gdt64_descriptor(%rip)\n mov $0x20, %eax\n ltr %ax\n jmp fuzz64_next\n"
    /* every vector lands here: reload what the random code may have broken, then the next round */
    ".globl fuzz64_next\nfuzz64_next: cli\n lgdt gdt64_descriptor(%rip)\n lidt idt64_descriptor(%rip)\n"
    " lea stack_top(%rip), %rsp\n and $-16, %rsp\n pushq $0x10\n lea 2f(%rip), %rax\n push %rax\n lretq\n"
    "2: mov $0x18, %eax\n mov %eax, %ds\n mov %eax, %es\n mov %eax, %ss\n mov %eax, %fs\n mov %eax, %gs\n"
    " mov $0x20, %eax\n mov %rax, %cr4\n lea pml4(%rip), %rax\n mov %rax, %cr3\n mov $0x80000011, %eax\n mov %rax, %cr0\n"
    " mov $0xc0000080, %ecx\n mov $0x101, %eax\n xor %edx, %edx\n wrmsr\n"
    " xor %eax, %eax\n mov $0xc0000100, %ecx\n wrmsr\n mov $0xc0000101, %ecx\n wrmsr\n"
    " mov rounds(%rip), %eax\n cmp round_limit(%rip), %eax\n jb 3f\n"
    /* done: print the count in decimal, then reset */
    " lea -32(%rsp), %rdi\n mov %rdi, %rsi\n mov $10, %ecx\n"
    "4: xor %edx, %edx\n div %ecx\n add $'0', %dl\n dec %rdi\n mov %dl, (%rdi)\n test %eax, %eax\n jnz 4b\n"
    "5: cmp %rsi, %rdi\n je 6f\n movzbl (%rdi), %eax\n call putc64\n inc %rdi\n jmp 5b\n"
    "6: lea done_message(%rip), %rdi\n7: movzbl (%rdi), %eax\n test %al, %al\n jz 8f\n call putc64\n inc %rdi\n jmp 7b\n"
    "8: mov $0xfe, %al\n outb %al, $0x64\n9: hlt\n jmp 9b\n"
    /* 8259 pair: base 0x20/0x28, only IRQ 0; PIT counter 0 at 1 kHz */
    "3: mov $0x11, %al\n outb %al, $0x20\n mov $0x20, %al\n outb %al, $0x21\n mov $4, %al\n outb %al, $0x21\n"
    " mov $1, %al\n outb %al, $0x21\n mov $0xfe, %al\n outb %al, $0x21\n"
    " mov $0x11, %al\n outb %al, $0xa0\n mov $0x28, %al\n outb %al, $0xa1\n mov $2, %al\n outb %al, $0xa1\n"
    " mov $1, %al\n outb %al, $0xa1\n mov $0xff, %al\n outb %al, $0xa1\n"
    " mov $0x34, %al\n outb %al, $0x43\n mov $0xa9, %al\n outb %al, $0x40\n mov $4, %al\n outb %al, $0x40\n"
    " mov rounds(%rip), %eax\n xor %edx, %edx\n mov $100, %ecx\n div %ecx\n test %edx, %edx\n jnz 10f\n"
    " mov $'.', %eax\n call putc64\n"
    "10: incl rounds(%rip)\n"
    /* arena: int3 everywhere, 48 random bytes at its second page */
    " lea arena(%rip), %rdi\n mov $0xcc, %al\n mov $8192, %ecx\n rep stosb\n"
    " lea arena + 4096(%rip), %rdi\n mov $48, %ecx\n"
    "11: mov state(%rip), %eax\n mov %eax, %edx\n shl $13, %edx\n xor %edx, %eax\n mov %eax, %edx\n shr $17, %edx\n"
    " xor %edx, %eax\n mov %eax, %edx\n shl $5, %edx\n xor %edx, %eax\n mov %eax, state(%rip)\n"
    " mov %al, (%rdi)\n inc %rdi\n dec %ecx\n jnz 11b\n"
    /* a ret or pop-and-jump lands on an int3 */
    " lea arena + 4096 + 48(%rip), %rax\n lea fuzz_stack(%rip), %rdi\n mov $1024, %ecx\n rep stosq\n"
    " lea fuzz_stack + 8192 - 256(%rip), %rsp\n"
    " xor %eax, %eax\n xor %ebx, %ebx\n xor %ecx, %ecx\n xor %edx, %edx\n xor %esi, %esi\n mov $0x100000, %edi\n"
    " xor %r8d, %r8d\n xor %r9d, %r9d\n xor %r10d, %r10d\n xor %r11d, %r11d\n xor %r12d, %r12d\n"
    " xor %r13d, %r13d\n xor %r14d, %r14d\n xor %r15d, %r15d\n mov %rsp, %rbp\n"
    " pushq $0x202\n popfq\n lea arena + 4096(%rip), %rax\n jmp *%rax\n"
    /* putc64: %al to COM1 */
    "putc64: mov %eax, %r8d\n mov $0x3fd, %dx\n12: inb %dx, %al\n test $0x20, %al\n jz 12b\n"
    " mov %r8d, %eax\n mov $0x3f8, %dx\n outb %al, %dx\n ret\n"
    ".code32\n");
