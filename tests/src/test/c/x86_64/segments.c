/*
 * Segment registers as a 64-bit Linux process sees them, and the two addressing forms that carry
 * a whole 64-bit address: the selectors at start-up (mov r, sreg), push/pop of fs and gs,
 * pop fs of the null selector (which clears the FS base: glibc's TLS is restored through a raw
 * arch_prctl before any libc call), movabs between the accumulator and a moffs64 address above
 * 4 GiB (and under the 32 GiB our guests have), and xlat (only AL changes). Prints what it sees; the native run is the oracle.
 */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003

static long raw_arch_prctl(long code, unsigned long addr) {
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "0"(158L), "D"(code), "S"(addr) : "rcx", "r11", "memory");
    return ret;
}

int main(void) {
    unsigned short cs, ds, es, fs, gs, ss;
    __asm__ volatile("mov %%cs, %0; mov %%ds, %1; mov %%es, %2; mov %%fs, %3; mov %%gs, %4; mov %%ss, %5"
                     : "=r"(cs), "=r"(ds), "=r"(es), "=r"(fs), "=r"(gs), "=r"(ss));
    printf("selectors cs=%#x ds=%#x es=%#x fs=%#x gs=%#x ss=%#x\n", cs, ds, es, fs, gs, ss);

    /* mov r64, sreg zero-extends; mov r16, sreg keeps the rest of the register */
    uint64_t wide = ~0ull, narrow = ~0ull;
    __asm__ volatile("mov %%ss, %0" : "+r"(wide));
    __asm__ volatile("mov %%ss, %w0" : "+r"(narrow));
    printf("mov r64, ss = %#llx; mov r16, ss = %#llx\n", (unsigned long long)wide, (unsigned long long)narrow);

    /* push fs/gs: 8 bytes (2 with 0x66), the selector zero-extended */
    uint64_t slot = 0, before, after;
    __asm__ volatile("mov %%rsp, %1; movq $-1, -8(%%rsp); push %%fs; mov %%rsp, %2; pop %0"
                     : "=r"(slot), "=&r"(before), "=&r"(after) : : "memory");
    printf("push fs: %#llx, rsp moved by %lld\n", (unsigned long long)slot, (long long)(before - after));
    uint16_t word = 0xffff;
    __asm__ volatile("pushw %%gs; popw %0" : "=r"(word) : : "memory");
    printf("pushw gs: %#x\n", word);

    /* pop gs of the null selector, then mov r, gs */
    uint64_t gsafter = ~0ull;
    __asm__ volatile("xor %%eax, %%eax; push %%rax; pop %%gs; mov %%gs, %%eax; mov %%rax, %0" : "=r"(gsafter) : : "rax", "memory");
    printf("pop gs of 0: gs=%#llx\n", (unsigned long long)gsafter);

    /* pop fs of 0 clears the FS base: read it back through arch_prctl before any libc call */
    unsigned long base = 0, cleared = 1;
    raw_arch_prctl(ARCH_GET_FS, (unsigned long)&base);
    __asm__ volatile("xor %%eax, %%eax; push %%rax; pop %%fs" : : : "rax", "memory");
    raw_arch_prctl(ARCH_GET_FS, (unsigned long)&cleared);
    raw_arch_prctl(ARCH_SET_FS, base);
    printf("pop fs of 0: base %s, then restored\n", cleared == 0 ? "cleared" : cleared == base ? "kept" : "changed");

    /* movabs: an address above 4 GiB that only a 64-bit moffs can name */
    unsigned char *high = mmap((void *)0x65a5a0000ull, 4096, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (high == MAP_FAILED) {
        printf("mmap at 0x65a5a0000 failed\n");
        return 1;
    }
    for (int i = 0; i < 64; i++) {
        high[i] = (unsigned char)(0x11 * i + 3);
    }
    uint64_t a8 = ~0ull, a16 = ~0ull, a32 = ~0ull, a64 = 0;
    __asm__ volatile("mov %1, %%rax; movabs 0x65a5a0005, %%al; mov %%rax, %0" : "=r"(a8) : "r"(a8) : "rax");
    __asm__ volatile("mov %1, %%rax; movabs 0x65a5a0006, %%ax; mov %%rax, %0" : "=r"(a16) : "r"(a16) : "rax");
    __asm__ volatile("mov %1, %%rax; movabs 0x65a5a0009, %%eax; mov %%rax, %0" : "=r"(a32) : "r"(a32) : "rax");
    __asm__ volatile("movabs 0x65a5a000b, %%rax; mov %%rax, %0" : "=r"(a64) : : "rax");
    printf("movabs loads: %#llx %#llx %#llx %#llx\n", (unsigned long long)a8, (unsigned long long)a16,
           (unsigned long long)a32, (unsigned long long)a64);
    __asm__ volatile("mov $0x1122334455667788, %%rax; movabs %%al, 0x65a5a0020; movabs %%ax, 0x65a5a0022;"
                     "movabs %%eax, 0x65a5a0028; movabs %%rax, 0x65a5a0030" : : : "rax", "memory");
    printf("movabs stores:");
    for (int i = 0x20; i < 0x38; i++) {
        printf(" %02x", high[i]);
    }
    printf("\n");

    /* xlat: al = [rbx + al]; the rest of rax stays */
    uint64_t x = 0xabcdef0123456705ull;
    __asm__ volatile("mov %1, %%rbx; xlat" : "+a"(x) : "r"(high) : "rbx");
    printf("xlat: %#llx\n", (unsigned long long)x);
    return 0;
}
