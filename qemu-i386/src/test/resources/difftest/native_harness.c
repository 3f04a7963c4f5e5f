/*
 * Native oracle for the x86 differential test. Runs instruction snippets on the host CPU in
 * 64-bit mode, restricted by the test generator to encodings whose meaning is the same in
 * 32-bit mode, with the code and a data buffer placed below 4 GiB so 32-bit addresses match.
 *
 * Input, one case per line:  CODEHEX EAX ECX EDX EBX EBP ESI EDI EFLAGS MEMHEX   (hex words)
 * Output, one line per case: EAX ECX EDX EBX EBP ESI EDI EFLAGS MEMHEX | TRAP <signal>
 */
#define CODE_ADDR 0x10000000UL
#define DATA_ADDR 0x10001000UL
#define DATA_SIZE 512
#include "harness_common.h"

uint64_t harness_in[9];  /* rax rcx rdx rbx rbp rsi rdi rflags, then code address */
uint64_t harness_out[8];
uint64_t harness_saved_rsp;
void harness_enter(void);
void harness_return(void);

__asm__(
    ".text\n"
    ".globl harness_enter\n"
    "harness_enter:\n"
    "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
    "  mov %rsp, harness_saved_rsp(%rip)\n"
    "  pushq harness_in+56(%rip)\n"
    "  popfq\n"
    "  mov harness_in+0(%rip), %rax\n"
    "  mov harness_in+8(%rip), %rcx\n"
    "  mov harness_in+16(%rip), %rdx\n"
    "  mov harness_in+24(%rip), %rbx\n"
    "  mov harness_in+32(%rip), %rbp\n"
    "  mov harness_in+40(%rip), %rsi\n"
    "  mov harness_in+48(%rip), %rdi\n"
    "  jmp *harness_in+64(%rip)\n"
    ".globl harness_return\n"
    "harness_return:\n"
    "  pushfq\n"
    "  popq harness_out+56(%rip)\n"
    "  cld\n"
    "  mov %rax, harness_out+0(%rip)\n"
    "  mov %rcx, harness_out+8(%rip)\n"
    "  mov %rdx, harness_out+16(%rip)\n"
    "  mov %rbx, harness_out+24(%rip)\n"
    "  mov %rbp, harness_out+32(%rip)\n"
    "  mov %rsi, harness_out+40(%rip)\n"
    "  mov %rdi, harness_out+48(%rip)\n"
    "  mov harness_saved_rsp(%rip), %rsp\n"
    "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
    "  ret\n");


int main(void) {
    unsigned char *code, *data;
    map_snippet_pages(&code, &data);
    catch_snippet_traps();

    static char line[16384];
    static char codehex[256], memhex[2 * DATA_SIZE + 8];
    while (fgets(line, sizeof line, stdin)) {
        unsigned int r[8];
        if (sscanf(line, "%255s %x %x %x %x %x %x %x %x %1030s", codehex, &r[0], &r[1], &r[2], &r[3], &r[4],
                   &r[5], &r[6], &r[7], memhex) != 10) {
            fprintf(stderr, "bad input line\n");
            return 2;
        }
        size_t n = unhex(codehex, code, 4000);
        /* jmp *0(%rip); .quad harness_return */
        code[n] = 0xff;
        code[n + 1] = 0x25;
        memset(code + n + 2, 0, 4);
        uint64_t back = (uint64_t) harness_return;
        memcpy(code + n + 6, &back, 8);
        __builtin___clear_cache((char *) code, (char *) code + n + 14);
        memset(data, 0, 4096);
        unhex(memhex, data, DATA_SIZE);
        for (int i = 0; i < 8; i++) {
            harness_in[i] = r[i];
        }
        harness_in[8] = CODE_ADDR;
        int sig = sigsetjmp(trap_env, 1);
        if (sig != 0) {
            printf("TRAP %d\n", sig);
            continue;
        }
        harness_enter();
        for (int i = 0; i < 8; i++) {
            printf("%x ", (unsigned int) harness_out[i]);
        }
        print_data_and_end_line(data);
    }
    return 0;
}
