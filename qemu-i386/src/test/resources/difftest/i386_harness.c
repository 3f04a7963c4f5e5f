/*
 * i386 oracle for the x86 differential test, run under Debian's qemu-i386 (this host cannot run
 * 32-bit code natively). Same protocol as native_harness.c, plus ESP: the snippet's stack lives in
 * the data buffer so push/pop/call/ret/enter/leave results are compared too.
 *
 * Input:  CODEHEX EAX ECX EDX EBX ESP EBP ESI EDI EFLAGS MEMHEX
 * Output: EAX ECX EDX EBX ESP EBP ESI EDI EFLAGS MEMHEX | TRAP <signal>
 */
#define CODE_ADDR 0x10000000UL
#define DATA_ADDR 0x10001000UL
#define DATA_SIZE 512
#include "harness_common.h"

uint32_t h_in[10]; /* eax ecx edx ebx esp ebp esi edi eflags code */
uint32_t h_out[9];
uint32_t h_saved_esp;
uint32_t h_back_address;
void h_enter(void);
void h_back(void);

__asm__(
    ".text\n"
    ".globl h_enter\n"
    "h_enter:\n"
    "  push %ebp\n push %ebx\n push %esi\n push %edi\n"
    "  mov %esp, h_saved_esp\n"
    "  pushl h_in+32\n"
    "  popfl\n"
    "  mov h_in+0, %eax\n"
    "  mov h_in+4, %ecx\n"
    "  mov h_in+8, %edx\n"
    "  mov h_in+12, %ebx\n"
    "  mov h_in+20, %ebp\n"
    "  mov h_in+24, %esi\n"
    "  mov h_in+28, %edi\n"
    "  mov h_in+16, %esp\n"
    "  jmp *h_in+36\n"
    ".globl h_back\n"
    "h_back:\n"
    "  mov %esp, h_out+16\n"
    "  mov h_saved_esp, %esp\n"
    "  pushfl\n"
    "  popl h_out+32\n"
    "  cld\n"
    "  mov %eax, h_out+0\n"
    "  mov %ecx, h_out+4\n"
    "  mov %edx, h_out+8\n"
    "  mov %ebx, h_out+12\n"
    "  mov %ebp, h_out+20\n"
    "  mov %esi, h_out+24\n"
    "  mov %edi, h_out+28\n"
    "  pop %edi\n pop %esi\n pop %ebx\n pop %ebp\n"
    "  ret\n");


int main(void) {
    unsigned char *code, *data;
    map_snippet_pages(&code, &data);
    catch_snippet_traps();
    h_back_address = (uint32_t) h_back;

    static char line[16384];
    static char codehex[256], memhex[2 * DATA_SIZE + 8];
    while (fgets(line, sizeof line, stdin)) {
        unsigned int r[9];
        if (sscanf(line, "%255s %x %x %x %x %x %x %x %x %x %1030s", codehex, &r[0], &r[1], &r[2], &r[3], &r[4],
                   &r[5], &r[6], &r[7], &r[8], memhex) != 11) {
            fprintf(stderr, "bad input line\n");
            return 2;
        }
        size_t n = unhex(codehex, code, 4000);
        /* jmp *h_back_address */
        code[n] = 0xff;
        code[n + 1] = 0x25;
        uint32_t slot = (uint32_t) &h_back_address;
        memcpy(code + n + 2, &slot, 4);
        memset(data, 0, 4096);
        unhex(memhex, data, DATA_SIZE);
        for (int i = 0; i < 9; i++) {
            h_in[i] = r[i];
        }
        h_in[9] = CODE_ADDR;
        int sig = sigsetjmp(trap_env, 1);
        if (sig != 0) {
            printf("TRAP %d\n", sig);
            fflush(stdout);
            continue;
        }
        h_enter();
        for (int i = 0; i < 9; i++) {
            printf("%x ", h_out[i]);
        }
        print_data_and_end_line(data);
    }
    return 0;
}
