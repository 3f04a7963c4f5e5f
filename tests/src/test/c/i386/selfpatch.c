/* Code that rewrites itself from inside: a store into the immediate of an instruction later in
 * its own block, and a two-block loop whose second block rewrites the first block's immediate on
 * every iteration. A real CPU runs the new bytes at once (the store is followed by no
 * serializing instruction; x86 keeps self-modifying code coherent within one thread). Built for
 * i386 and x86-64; the output is whatever the hardware (or Debian's QEMU) prints. */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

extern char smc_page[];
extern uint32_t patch_later(uint32_t value);
extern uint32_t self_patching_loop(uint32_t count);
extern uint32_t patch_next_instruction(uint32_t value);

#ifdef __x86_64__
#define ARG "mov %edi, %eax\n"
#define COUNT "mov %edi, %ecx\n"
#define SAVE ""
#define RESTORE ""
#define AT(label) label "(%rip)"
#else
#define ARG "mov 4(%esp), %eax\n"
#define COUNT "mov 8(%esp), %ecx\n"
#define SAVE "push %ebx\n"
#define RESTORE "pop %ebx\n"
#define AT(label) label
#endif

__asm__(".text\n.balign 4096\n.globl smc_page\nsmc_page:\n"
        /* patch_later(v): v into the immediate of the add two instructions on, in its own block */
        ".globl patch_later\npatch_later: " ARG "mov %eax, " AT("imm_later") "\nrol $3, %eax\n"
        ".byte 0x05\nimm_later: .long 0\nret\n"
        /* patch_next_instruction(v): one byte of the very next instruction's immediate */
        ".balign 64\n.globl patch_next_instruction\npatch_next_instruction: " ARG "movb %al, " AT("imm_next") "\n"
        ".byte 0x05\nimm_next: .long 0x01000000\nret\n"
        /* self_patching_loop(n): the second block writes ecx into the first block's immediate */
        ".balign 64\n.globl self_patching_loop\nself_patching_loop: " SAVE COUNT "xor %eax, %eax\n"
        "1: .byte 0x05\nimm_self: .long 0x5d\njmp 2f\n.skip 40, 0x90\n"
        "2: mov %ecx, " AT("imm_self") "\nrol $5, %eax\ndec %ecx\njnz 1b\n" RESTORE "ret\n"
        ".balign 4096\n.text\n");

int main(void) {
    if (mprotect(smc_page, 4096, PROT_READ | PROT_WRITE | PROT_EXEC) != 0) {
        perror("mprotect");
        return 1;
    }
    uint32_t sum = 0;
    for (uint32_t i = 0; i < 3000; i++) {
        sum = sum * 5 + patch_later(i * 0x01010101u + 7);
    }
    printf("patched later in its own block: %08x\n", sum);
    sum = 0;
    for (uint32_t i = 0; i < 3000; i++) {
        sum = sum * 3 + patch_next_instruction(i);
    }
    printf("patched the next instruction: %08x\n", sum);
    for (int round = 0; round < 4; round++) {
        printf("loop patching its partner: %08x\n", self_patching_loop(200 + 50 * round));
    }
    printf("a long run: %08x\n", self_patching_loop(20000));
    return 0;
}
