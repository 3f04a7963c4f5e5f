#include "lib.h"

/* Code patched a few bytes at a time, as Linux patches its own text (text_poke, jump labels,
 * alternatives): a translator that drops only the translations a write overlaps must still
 * drop every one that used a written byte, whatever else lives on the page.
 * - two routines on one page, both hot; the immediate of one rewritten (all four bytes, then one
 *   byte of it), the other must keep its own;
 * - an instruction that straddles two pages, its immediate's last byte rewritten on the second;
 * - a two-block loop (a block ending in jmp, the block it jumps to branching back: a loop block
 *   once compiled, which takes in the other block's code), which writes a data word between its
 *   two blocks on every iteration; the immediates of both blocks are rewritten between runs;
 * - data on the same page as hot code, written thousands of times between calls;
 * - the same page written through a second linear mapping (paging on) and run through the first;
 * - code rewritten from inside the code it changes (session 9): a store into the immediate of an
 *   instruction later in its own block, and a two-block loop whose second block rewrites the
 *   first block's immediate on every iteration (a loop block once compiled: the store and the
 *   code it rewrites run in one pass); the new bytes must run at once, as on a real CPU.
 * Every line is compared with Debian's QEMU; nothing here states what the answer should be. */

#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define ALIAS 0x80000000u

static u64 gdt[3] __attribute__((aligned(8)));
static u32 directory[1024] __attribute__((aligned(4096)));
static u32 alias_table[1024] __attribute__((aligned(4096)));

extern u8 patch_page[], imm_a[], imm_b[], imm_straddle[], imm_first[], imm_second[], data_word[], loop_word[];
extern u32 routine_a(void), routine_b(void), straddling(void), two_block_loop(u32 count);
extern u32 patch_later(u32 value), self_patching_loop(u32 count);

__asm__(".balign 4096\n.globl patch_page\npatch_page:\n"
        ".globl routine_a\nroutine_a: .byte 0xb8\nimm_a: .long 0x11\nadd $3, %eax\nret\n"
        ".balign 64\n.globl routine_b\nroutine_b: .byte 0xb8\nimm_b: .long 0x22\nadd $5, %eax\nret\n"
        /* the data word sits between code on this page */
        ".balign 64\n.globl data_word\ndata_word: .long 0\n"
        /* two_block_loop(count): ebx += both blocks' immediates, ebx ^= ecx; the second block
         * stores ecx into the data word between the two, which are joined by a jmp */
        ".balign 64\n.globl two_block_loop\ntwo_block_loop: push %ebx\nmov 8(%esp), %ecx\nxor %ebx, %ebx\n"
        "1: .byte 0x81, 0xc3\nimm_first: .long 0\njmp 2f\n.globl loop_word\nloop_word: .long 0\n.skip 36, 0x90\n"
        "2: .byte 0x81, 0xc3\nimm_second: .long 0\nxor %ecx, %ebx\nmov %ecx, loop_word\ndec %ecx\njnz 1b\n"
        "mov %ebx, %eax\npop %ebx\nret\n"
        /* patch_later(v): stores v into the immediate of the add two instructions on, in its own block */
        ".balign 64\n.globl patch_later\npatch_later: mov 4(%esp), %eax\nmov %eax, imm_later\nrol $3, %eax\n"
        ".byte 0x05\nimm_later: .long 0\nret\n"
        /* self_patching_loop(count): the second block writes ecx into the first block's immediate */
        ".balign 64\n.globl self_patching_loop\nself_patching_loop: push %ebx\nmov 8(%esp), %ecx\nxor %ebx, %ebx\n"
        "1: .byte 0x81, 0xc3\nimm_self: .long 0x5d\njmp 2f\n.skip 40, 0x90\n"
        "2: mov %ecx, imm_self\nrol $5, %ebx\ndec %ecx\njnz 1b\n"
        "mov %ebx, %eax\npop %ebx\nret\n"
        /* an instruction whose immediate crosses into the next page */
        ".balign 4096\n.skip 4093, 0x90\n.globl straddling\nstraddling: .byte 0xb8\nimm_straddle: .long 0x01020304\nret\n"
        ".balign 4096\n");

static u32 run_both(int times) {
    u32 sum = 0;
    for (int i = 0; i < times; i++) {
        sum = sum * 3 + routine_a() + 7 * routine_b();
    }
    return sum;
}

static void print(const char *what, u32 value) {
    puts(what);
    puthex(value, 8);
    puts("\n");
}

static void neighbours_on_one_page(volatile u8 *page_a, volatile u8 *page_b) {
    for (int round = 0; round < 4; round++) {
        u32 before = run_both(300);
        *(volatile u32 *) page_b = 0x100 * (round + 1) + 0x22;      /* all of routine_b's immediate */
        u32 after_b = run_both(300);
        page_a[1] = (u8) (0x40 + round);                            /* one byte of routine_a's immediate */
        u32 after_a = run_both(300);
        puts("round ");
        putdec(round);
        print(": ", before ^ (after_b << 1) ^ (after_a << 2));
        print("  a now ", routine_a());
        print("  b now ", routine_b());
    }
}

static void across_a_page_end(void) {
    u32 sum = 0;
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 200; i++) {
            sum += straddling();
        }
        imm_straddle[3] = (u8) (0x10 * (round + 1));                 /* on the next page */
        sum += straddling();
    }
    print("straddling sum: ", sum);
}

static void a_loop_taking_in_its_partner(void) {
    for (int round = 0; round < 6; round++) {
        if (round & 1) {
            *(volatile u32 *) imm_second = 0x1000u * round;          /* the block taken in */
        } else {
            imm_first[1] = (u8) round;                               /* the loop's own first block */
        }
        print("two-block loop: ", two_block_loop(300 + round));
        print("  loop word ", *(volatile u32 *) loop_word);
    }
}

static void data_beside_code(void) {
    u32 sum = 0;
    for (int i = 0; i < 3000; i++) {
        *(volatile u32 *) data_word = i;
        sum += routine_a() + *(volatile u32 *) data_word;
        if (i == 2000) {
            imm_a[0] = 0x99;
        }
    }
    print("data beside code: ", sum);
}

static void rewritten_from_inside(void) {
    u32 sum = 0;
    for (int i = 0; i < 500; i++) {
        sum = sum * 5 + patch_later(i * 0x01010101u + 7);
    }
    print("patched later in its own block: ", sum);
    for (int round = 0; round < 4; round++) {
        print("loop patching its partner: ", self_patching_loop(200 + 50 * round));
    }
}

void payload_main(void) {
    serial_and_quiet_pics();

    load_flat_gdt(gdt, sizeof gdt);

    puts("patching test\n");
    neighbours_on_one_page(imm_a, imm_b);
    across_a_page_end();
    a_loop_taking_in_its_partner();
    data_beside_code();
    rewritten_from_inside();

    /* paging on: the code page also mapped at ALIAS, written there, run at its own address */
    for (int i = 0; i < 8; i++) {
        directory[i] = (u32) i << 22 | 0x83;                       /* identity, 4 MiB, writable */
    }
    directory[ALIAS >> 22] = (u32) alias_table | 3;
    alias_table[0] = (u32) patch_page | 3;
    __asm__ volatile("mov %0, %%cr3" : : "r"(directory) : "memory");
    set_cr4(cr4() | 0x10);                                         /* PSE */
    set_cr0(cr0() | 0x80000000);
    u32 offset_a = (u32) imm_a - (u32) patch_page;
    u32 offset_b = (u32) imm_b - (u32) patch_page;
    neighbours_on_one_page((volatile u8 *) (ALIAS + offset_a), (volatile u8 *) (ALIAS + offset_b));
    puts("patching done\n");
}
