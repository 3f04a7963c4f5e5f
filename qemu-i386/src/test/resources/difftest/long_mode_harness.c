/*
 * Native oracle for the long-mode (64-bit) differential test. Runs instruction snippets on the
 * host CPU with all sixteen general registers, RFLAGS and the sixteen XMM registers loaded from
 * the input, the stack pointer inside the data buffer, code and data above 4 GiB.
 *
 * Input, one case per line:
 *   CODEHEX R0 ... R15 RFLAGS X0LO X0HI ... X15LO X15HI MEMHEX        (hex, registers by number)
 * Output, one line per case:
 *   R0 ... R15 RFLAGS X0LO X0HI ... X15LO X15HI MEMHEX | TRAP <signal>
 */
#define CODE_ADDR 0x1000001000UL
#define DATA_ADDR 0x1000002000UL
#define DATA_SIZE 1024
#include "harness_common.h"

uint64_t harness_in[18]; /* r0..r15, rflags, code address */
uint64_t harness_out[17];
uint64_t harness_xmm_in[32];
uint64_t harness_xmm_out[32];
uint64_t harness_saved_rsp;
void harness_enter(void);
void harness_return(void);

#define XMM_LOAD(n) "  movdqu harness_xmm_in+" #n "*16(%rip), %xmm" #n "\n"
#define XMM_STORE(n) "  movdqu %xmm" #n ", harness_xmm_out+" #n "*16(%rip)\n"

__asm__(
    ".text\n"
    ".globl harness_enter\n"
    "harness_enter:\n"
    "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
    "  mov %rsp, harness_saved_rsp(%rip)\n"
    XMM_LOAD(0) XMM_LOAD(1) XMM_LOAD(2) XMM_LOAD(3) XMM_LOAD(4) XMM_LOAD(5) XMM_LOAD(6) XMM_LOAD(7)
    XMM_LOAD(8) XMM_LOAD(9) XMM_LOAD(10) XMM_LOAD(11) XMM_LOAD(12) XMM_LOAD(13) XMM_LOAD(14) XMM_LOAD(15)
    "  pushq harness_in+128(%rip)\n"
    "  popfq\n"
    "  mov harness_in+0(%rip), %rax\n"
    "  mov harness_in+8(%rip), %rcx\n"
    "  mov harness_in+16(%rip), %rdx\n"
    "  mov harness_in+24(%rip), %rbx\n"
    "  mov harness_in+40(%rip), %rbp\n"
    "  mov harness_in+48(%rip), %rsi\n"
    "  mov harness_in+56(%rip), %rdi\n"
    "  mov harness_in+64(%rip), %r8\n"
    "  mov harness_in+72(%rip), %r9\n"
    "  mov harness_in+80(%rip), %r10\n"
    "  mov harness_in+88(%rip), %r11\n"
    "  mov harness_in+96(%rip), %r12\n"
    "  mov harness_in+104(%rip), %r13\n"
    "  mov harness_in+112(%rip), %r14\n"
    "  mov harness_in+120(%rip), %r15\n"
    "  mov harness_in+32(%rip), %rsp\n"
    "  jmp *harness_in+136(%rip)\n"
    ".globl harness_return\n"
    "harness_return:\n"
    "  mov %rsp, harness_out+32(%rip)\n"
    "  mov harness_saved_rsp(%rip), %rsp\n"
    "  pushfq\n"
    "  popq harness_out+128(%rip)\n"
    "  cld\n"
    "  mov %rax, harness_out+0(%rip)\n"
    "  mov %rcx, harness_out+8(%rip)\n"
    "  mov %rdx, harness_out+16(%rip)\n"
    "  mov %rbx, harness_out+24(%rip)\n"
    "  mov %rbp, harness_out+40(%rip)\n"
    "  mov %rsi, harness_out+48(%rip)\n"
    "  mov %rdi, harness_out+56(%rip)\n"
    "  mov %r8, harness_out+64(%rip)\n"
    "  mov %r9, harness_out+72(%rip)\n"
    "  mov %r10, harness_out+80(%rip)\n"
    "  mov %r11, harness_out+88(%rip)\n"
    "  mov %r12, harness_out+96(%rip)\n"
    "  mov %r13, harness_out+104(%rip)\n"
    "  mov %r14, harness_out+112(%rip)\n"
    "  mov %r15, harness_out+120(%rip)\n"
    XMM_STORE(0) XMM_STORE(1) XMM_STORE(2) XMM_STORE(3) XMM_STORE(4) XMM_STORE(5) XMM_STORE(6) XMM_STORE(7)
    XMM_STORE(8) XMM_STORE(9) XMM_STORE(10) XMM_STORE(11) XMM_STORE(12) XMM_STORE(13) XMM_STORE(14) XMM_STORE(15)
    "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
    "  ret\n");


int main(void) {
    unsigned char *code, *data;
    map_snippet_pages(&code, &data);
    catch_snippet_traps();

    static char line[65536];
    while (fgets(line, sizeof line, stdin)) {
        char *p = line;
        char *tok = strtok(p, " \n");
        if (tok == NULL) {
            continue;
        }
        size_t n = unhex(tok, code, 4000);
        uint64_t values[17 + 32];
        for (int i = 0; i < 17 + 32; i++) {
            tok = strtok(NULL, " \n");
            if (tok == NULL) {
                fprintf(stderr, "bad input line\n");
                return 2;
            }
            values[i] = strtoull(tok, NULL, 16);
        }
        tok = strtok(NULL, " \n");
        memset(data, 0, 4096);
        if (tok != NULL) {
            unhex(tok, data, DATA_SIZE);
        }
        /* jmp *0(%rip); .quad harness_return */
        code[n] = 0xff;
        code[n + 1] = 0x25;
        memset(code + n + 2, 0, 4);
        uint64_t back = (uint64_t) harness_return;
        memcpy(code + n + 6, &back, 8);
        __builtin___clear_cache((char *) code, (char *) code + n + 14);
        for (int i = 0; i < 17; i++) {
            harness_in[i] = values[i];
        }
        for (int i = 0; i < 32; i++) {
            harness_xmm_in[i] = values[17 + i];
        }
        harness_in[17] = CODE_ADDR;
        int sig = sigsetjmp(trap_env, 1);
        if (sig != 0) {
            printf("TRAP %d\n", sig);
            continue;
        }
        harness_enter();
        for (int i = 0; i < 17; i++) {
            printf("%llx ", (unsigned long long) harness_out[i]);
        }
        for (int i = 0; i < 32; i++) {
            printf("%llx ", (unsigned long long) harness_xmm_out[i]);
        }
        print_data_and_end_line(data);
        fflush(stdout);
    }
    return 0;
}
