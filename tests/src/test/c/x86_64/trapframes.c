/*
 * What a signal handler finds about the fault that raised it: si_signo, si_code, si_addr, and
 * the sigcontext's trapno and err (the x86 vector and its error code: a page fault's says
 * read/write, present, user, instruction fetch), for faults of every kind a user program can
 * cause. AddressSanitizer and garbage collectors read err's write bit. The handler steps over
 * the faulting instruction (its length is known here) or, for a jump into a no-execute page,
 * returns to the caller. Prints what it sees; the native run is the oracle.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

static volatile long skip;
static volatile long resume_at;

static void handler(int sig, siginfo_t *si, void *context) {
    ucontext_t *uc = context;
    greg_t *g = uc->uc_mcontext.gregs;
    printf("  signal %d code %d addr %s trapno %lld err %#llx\n", sig, si->si_code,
           si->si_addr == 0 ? "0" : "set", (long long)g[REG_TRAPNO], (long long)g[REG_ERR]);
    if (resume_at) {
        g[REG_RIP] = resume_at;
        g[REG_RSP] += 8; /* the call's return address */
        resume_at = 0;
    } else {
        g[REG_RIP] += skip;
    }
}

static void expect(const char *what, long length) {
    printf("%s\n", what);
    skip = length;
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, 0);
    sigaction(SIGILL, &sa, 0);
    sigaction(SIGFPE, &sa, 0);
    sigaction(SIGTRAP, &sa, 0);
    sigaction(SIGBUS, &sa, 0);

    char *none = mmap(0, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *ro = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *data = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    data[0] = (char)0xc3; /* ret, on a page without execute permission */
    char *touched = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    volatile char sink = touched[0]; /* read once: present from now on */
    (void)sink;
    char *gone = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(gone, 4096); /* the last mapping made: nothing takes its place */

    /* through rdi: mov (%rdi), %al is 8a 07 and mov %al, (%rdi) 88 07, two bytes each */
    expect("read of an unmapped page", 2);
    __asm__ volatile("mov (%0), %%al" : : "D"(gone) : "rax", "memory");
    expect("write to an unmapped page", 2);
    __asm__ volatile("mov %%al, (%0)" : : "D"(gone) : "rax", "memory");
    expect("read of a PROT_NONE page", 2);
    __asm__ volatile("mov (%0), %%al" : : "D"(none) : "rax", "memory");
    expect("write to a read-only page never touched", 2);
    __asm__ volatile("mov %%al, (%0)" : : "D"(ro) : "rax", "memory");
    expect("write to a read-only page read before", 2);
    __asm__ volatile("mov %%al, (%0)" : : "D"(touched) : "rax", "memory");
    expect("call into a page without execute permission", 0);
    __asm__ volatile("lea 1f(%%rip), %%rax; mov %%rax, resume_at(%%rip); call *%0; 1:" : : "r"(data) : "rax", "memory");
    expect("ud2", 2);
    __asm__ volatile("ud2");
    expect("int3 (a trap: rip is already past it)", 0);
    __asm__ volatile("int3");
    expect("hlt (privileged)", 1);
    __asm__ volatile("hlt");
    expect("int $0x81", 2);
    __asm__ volatile("int $0x81");
    expect("int $0x80 (no IA-32 system calls for 64-bit code here)", 2);
    __asm__ volatile("int $0x80" : : "a"(20L) : "memory");
    expect("divide by zero", 2); /* div %ecx: f7 f1 */
    __asm__ volatile("xor %%edx, %%edx; mov $1, %%eax; xor %%ecx, %%ecx; div %%ecx" : : : "rax", "rcx", "rdx");
    printf("done\n");
    return 0;
}
