#include "lib.h"

/* Random instruction bytes in ring 0 (seed=N rounds=M on the command line): each round reloads the GDT,
 * IDT, segments, stack, paging (RAM identity-mapped with 4 MiB pages, the rest absent, so a
 * wild jump is a page fault rather than a fetch outside RAM), the 8259 and a 1 kHz PIT tick
 * (so a loop or hlt ends too), puts 48 random bytes between int3s and jumps there with IF=1.
 * Every vector of the IDT leads back to the next round; whatever the random code does to the
 * machine may still end the run early. What is checked is only that the emulator never fails
 * inside itself: the test reads its stderr. */

extern u64 gdt[];
extern struct { u16 limit; u32 base; } __attribute__((packed)) gdt_descriptor;
static struct gate idt[256];
struct { u16 limit; u32 base; } __attribute__((packed)) idtr;
/* two pages of int3 around the random bytes (at the start of the second): a short jump either way traps */
static u8 arena[8192] __attribute__((aligned(4096)));
#define code (arena + 4096)
static u8 fuzz_stack[8192] __attribute__((aligned(16)));
u32 page_directory[1024] __attribute__((aligned(4096)));
u32 code_entry;
volatile u32 state, rounds, round_limit;
extern char vectors[];
extern void next_round(void);

/* 256 entry points of 8 bytes each: push the vector, jump to the common path */
__asm__(".globl vectors\n.align 8\nvectors:\n"
        ".set v, 0\n.rept 256\n.align 8\npushl $v\njmp next_round\n.set v, v+1\n.endr\n");

static u32 random32(void) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
}

void round_body(void) {
    if (rounds >= round_limit) {
        putdec(rounds);
        puts(" rounds\nfuzz done\n");
        reset_machine();
    }
    outb(0x20, 0x11); outb(0x21, 0x20); outb(0x21, 4); outb(0x21, 1); outb(0x21, 0xfe);
    outb(0xa0, 0x11); outb(0xa1, 0x28); outb(0xa1, 2); outb(0xa1, 1); outb(0xa1, 0xff);
    outb(0x43, 0x34); outb(0x40, 0xa9); outb(0x40, 0x04);
    if (rounds % 100 == 0) {
        putc('.');
    }
    rounds++;
    for (int i = 0; i < 48; i++) {
        code[i] = (u8) random32();
    }
    /* a ret or pop-and-jump lands on an int3: the round ends instead of running off into memory */
    for (u32 i = 0; i < sizeof fuzz_stack / 4; i++) {
        ((u32 *) fuzz_stack)[i] = (u32) &code[48];
    }
    memset(arena, 0xcc, 4096);
    memset(code + 48, 0xcc, 4096 - 48);
    /* start with known registers: what the random bytes see is reproducible from the seed */
    __asm__ volatile("mov %0, %%esp\n xor %%eax, %%eax\n xor %%ebx, %%ebx\n xor %%ecx, %%ecx\n xor %%edx, %%edx\n"
                     "xor %%esi, %%esi\n mov $0x100000, %%edi\n mov %%esp, %%ebp\n pushl $0x202\n popf\n jmp *code_entry"
                     : : "r"(&fuzz_stack[sizeof fuzz_stack - 256]) : "memory");
}

/* Every vector lands here: reload what the random code may have broken, then the next round. */
__asm__(".globl next_round\nnext_round: cli\n lgdt gdt_descriptor\n lidt idtr\n ljmp $0x08, $1f\n"
        "1: mov $0x10, %ax\n mov %ax, %ds\n mov %ax, %es\n mov %ax, %ss\n mov %ax, %fs\n mov %ax, %gs\n"
        " mov $stack_top, %esp\n mov $0x10, %eax\n mov %eax, %cr4\n mov $page_directory, %eax\n mov %eax, %cr3\n"
        " mov $0x80000011, %eax\n mov %eax, %cr0\n"
        " call round_body\n");

void payload_main(void) {
    serial_init();
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    state = cmdline_number("seed", 1) * 2654435761u | 1;
    round_limit = cmdline_number("rounds", 3000);
    for (int v = 0; v < 256; v++) {
        idt[v] = gate_to((u32) vectors + 8 * v, 0x08, 0xee);
    }
    code_entry = (u32) code;
    for (u32 i = 0; i < 16; i++) {
        page_directory[i] = i << 22 | 0x83;         /* 4 MiB, writable, present: the 64 MiB of RAM */
    }
    idtr.limit = sizeof idt - 1;
    idtr.base = (u32) idt;
    puts("fuzz: seed ");
    putdec(state);
    puts("\n");
    next_round();
}
