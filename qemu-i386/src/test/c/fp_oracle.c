/*
 * Native oracle for the x87/SSE tests: runs instruction bytes given on stdin on this CPU and
 * prints the resulting state. x87 and SSE (xmm0-7) encode the same in 32- and 64-bit mode.
 *
 * Input lines (all numbers hex):
 *   x CODE CW ASE ASIG BSE BSIG   fninit; fldcw CW; fld B; fld A; CODE
 *                                  -> SW EFLAGS R0SE R0SIG R1SE R1SIG (fstp twice)
 *   m CODE CW ASE ASIG MEM          like x but with only A loaded and rdi -> 16-byte buffer MEM
 *                                  (hex of 16 bytes) -> SW EFLAGS R0SE R0SIG MEM
 *   s CODE MXCSR A0 A1 B0 B1 EAX MEM xmm0=A, xmm1=B, eax=EAX, rdi -> MEM (16 bytes); CODE
 *                                  -> MXCSR EFLAGS X0 X1 EAX MEM
 * Build: gcc -O1 -mno-red-zone -o fp_oracle fp_oracle.c
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mman.h>

struct __attribute__((packed)) f80 { uint64_t sig; uint16_t se; };

static uint8_t *code_page;

static int load_code(const char *hex) {
    size_t n = strlen(hex) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        code_page[i] = (uint8_t) v;
    }
    code_page[n] = 0xc3; /* ret */
    return 0;
}

static void parse_bytes(const char *hex, uint8_t *out, int n) {
    for (int i = 0; i < n; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (uint8_t) v;
    }
}

static void print_bytes(const uint8_t *b, int n) {
    putchar(' ');
    for (int i = 0; i < n; i++) printf("%02x", b[i]);
}

int main(void) {
    code_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code_page == MAP_FAILED) { perror("mmap"); return 1; }
    char line[1024];
    char kind[4], hex[256], memhex[64];
    while (fgets(line, sizeof line, stdin)) {
        if (line[0] == 'x') {
            unsigned cw, ase, bse;
            unsigned long long asig, bsig;
            sscanf(line, "%3s %255s %x %x %llx %x %llx", kind, hex, &cw, &ase, &asig, &bse, &bsig);
            load_code(hex);
            struct f80 a = { asig, (uint16_t) ase }, b = { bsig, (uint16_t) bse }, r0, r1;
            uint16_t cw16 = (uint16_t) cw, sw;
            uint64_t flags;
            void *fn = code_page;
            __asm__ volatile(
                "fninit\n fldcw %[cw]\n fldt %[b]\n fldt %[a]\n"
                "xor %%eax, %%eax\n push %%rax\n popfq\n"
                "call *%[fn]\n"
                "pushfq\n pop %[fl]\n fnstsw %[sw]\n fstpt %[r0]\n fstpt %[r1]\n fninit\n"
                : [sw] "=m"(sw), [r0] "=m"(r0), [r1] "=m"(r1), [fl] "=&r"(flags)
                : [cw] "m"(cw16), [a] "m"(a), [b] "m"(b), [fn] "r"(fn)
                : "rax", "memory", "cc");
            printf("%x %llx %x %llx %x %llx\n", sw, (unsigned long long) (flags & 0x8d5), r0.se,
                   (unsigned long long) r0.sig, r1.se, (unsigned long long) r1.sig);
        } else if (line[0] == 'm') {
            unsigned cw, ase;
            unsigned long long asig;
            sscanf(line, "%3s %255s %x %x %llx %63s", kind, hex, &cw, &ase, &asig, memhex);
            load_code(hex);
            uint8_t mem[16] __attribute__((aligned(16)));
            parse_bytes(memhex, mem, 16);
            struct f80 a = { asig, (uint16_t) ase }, r0;
            uint16_t cw16 = (uint16_t) cw, sw;
            uint64_t flags;
            void *fn = code_page;
            __asm__ volatile(
                "fninit\n fldcw %[cw]\n fldt %[a]\n"
                "xor %%eax, %%eax\n push %%rax\n popfq\n"
                "mov %[mem], %%rdi\n call *%[fn]\n"
                "pushfq\n pop %[fl]\n fnstsw %[sw]\n fstpt %[r0]\n fninit\n"
                : [sw] "=m"(sw), [r0] "=m"(r0), [fl] "=&r"(flags)
                : [cw] "m"(cw16), [a] "m"(a), [fn] "r"(fn), [mem] "r"(mem)
                : "rax", "rdi", "memory", "cc");
            printf("%x %llx %x %llx", sw, (unsigned long long) (flags & 0x8d5), r0.se, (unsigned long long) r0.sig);
            print_bytes(mem, 16);
            putchar('\n');
        } else if (line[0] == 's') {
            unsigned mxcsr, eax;
            unsigned long long a0, a1, b0, b1;
            sscanf(line, "%3s %255s %x %llx %llx %llx %llx %x %63s", kind, hex, &mxcsr, &a0, &a1, &b0, &b1, &eax, memhex);
            load_code(hex);
            uint8_t mem[16] __attribute__((aligned(16)));
            parse_bytes(memhex, mem, 16);
            uint64_t a[2] = { a0, a1 }, b[2] = { b0, b1 }, r[2];
            uint32_t mx_in = mxcsr, mx_out, default_mx = 0x1f80, eax_io = eax;
            uint64_t flags;
            void *fn = code_page;
            __asm__ volatile(
                "movdqu %[a], %%xmm0\n movdqu %[b], %%xmm1\n ldmxcsr %[mxi]\n"
                "mov %[mem], %%rdi\n mov %[eax], %%eax\n"
                "push %%rax\n xor %%eax, %%eax\n push %%rax\n popfq\n pop %%rax\n"
                "call *%[fn]\n"
                "pushfq\n pop %[fl]\n stmxcsr %[mxo]\n ldmxcsr %[dmx]\n movdqu %%xmm0, %[r]\n mov %%eax, %[eax]\n"
                : [r] "=m"(r), [mxo] "=m"(mx_out), [fl] "=&r"(flags), [eax] "+m"(eax_io)
                : [a] "m"(a), [b] "m"(b), [mxi] "m"(mx_in), [dmx] "m"(default_mx), [fn] "r"(fn), [mem] "r"(mem)
                : "rax", "rcx", "rdi", "xmm0", "xmm1", "xmm2", "xmm3", "memory", "cc");
            printf("%x %llx %llx %llx %x", mx_out, (unsigned long long) (flags & 0x8d5),
                   (unsigned long long) r[0], (unsigned long long) r[1], eax_io);
            print_bytes(mem, 16);
            putchar('\n');
        } else if (line[0] == 'f') {
            /* f CODE CW ASE ASIG BSE BSIG MXCSR X0LO X0HI: state save/restore into a 1024-byte buffer at rdi */
            unsigned cw, ase, bse, mxcsr;
            unsigned long long asig, bsig, x0, x1;
            sscanf(line, "%3s %255s %x %x %llx %x %llx %x %llx %llx", kind, hex, &cw, &ase, &asig, &bse, &bsig,
                   &mxcsr, &x0, &x1);
            load_code(hex);
            static uint8_t buf[1024] __attribute__((aligned(16)));
            memset(buf, 0xaa, sizeof buf);
            struct f80 a = { asig, (uint16_t) ase }, b = { bsig, (uint16_t) bse };
            uint16_t cw16 = (uint16_t) cw, sw;
            uint64_t xin[2] = { x0, x1 };
            uint32_t mx_in = mxcsr, default_mx = 0x1f80;
            void *fn = code_page;
            __asm__ volatile(
                /* zero all eight registers first: images include the contents of empty ones */
                "fninit\n fldz\n fldz\n fldz\n fldz\n fldz\n fldz\n fldz\n fldz\n"
                "fninit\n fldcw %[cw]\n fldt %[b]\n fldt %[a]\n ldmxcsr %[mxi]\n movdqu %[x], %%xmm0\n"
                "mov %[mem], %%rdi\n call *%[fn]\n fnstsw %[sw]\n fninit\n ldmxcsr %[dmx]\n"
                : [sw] "=m"(sw)
                : [cw] "m"(cw16), [a] "m"(a), [b] "m"(b), [fn] "r"(fn), [mem] "r"(buf), [mxi] "m"(mx_in),
                  [dmx] "m"(default_mx), [x] "m"(xin)
                : "rax", "rdi", "xmm0", "memory", "cc");
            printf("%x", sw);
            print_bytes(buf, 1024);
            putchar('\n');
        } else {
            fprintf(stderr, "bad line: %s", line);
            return 2;
        }
        fflush(stdout);
    }
    return 0;
}
