/*
 * The LOCK prefix: taken on read-modify-writes of memory, #UD (SIGILL with ILL_ILLOPN) on
 * anything else. Each case runs in turn; a SIGILL handler records it and skips the instruction
 * by jumping back with siglongjmp. The same output natively and under emulation.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static sigjmp_buf back;
static volatile int code;

static void on_ill(int sig, siginfo_t *info, void *context) {
    (void)sig;
    (void)context;
    code = info->si_code;
    siglongjmp(back, 1);
}

static unsigned long cell = 0x1234;

#define CASE(name, insn, ...)                                                          \
    do {                                                                               \
        code = 0;                                                                      \
        unsigned long r = 5, v = 0xf0f0;                                               \
        if (sigsetjmp(back, 1) == 0) {                                                 \
            __asm__ volatile(insn : "+r"(r), "+m"(cell) : "r"(v) : "cc", "memory");      \
            printf("%-22s ran, cell %lx\n", name, cell);                               \
        } else {                                                                       \
            printf("%-22s SIGILL code %d\n", name, code);                              \
        }                                                                              \
    } while (0)

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_ill;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGILL, &sa, 0);
    CASE("lock add m, r", "lock addq %2, %1");
    CASE("lock xadd m, r", "lock xaddq %0, %1");
    CASE("lock btsq m, r", "lock btsq %2, %1");
    CASE("lock notq m", "lock notq %1");
    CASE("lock incq m", "lock incq %1");
    CASE("lock cmpxchg m, r", "lock cmpxchgq %2, %1");
    CASE("lock add r, r", ".byte 0xf0; addq %2, %0");
    CASE("lock add r, m", ".byte 0xf0; addq %1, %0");
    CASE("lock cmp m, r", ".byte 0xf0; cmpq %2, %1");
    CASE("lock mov m, r", ".byte 0xf0; movq %2, %1");
    CASE("lock bt m, r", ".byte 0xf0; btq %2, %1");
    CASE("lock popcnt r, m", ".byte 0xf0; popcntq %1, %0");
    CASE("lock bsf r, r", ".byte 0xf0; bsfq %2, %0");
    CASE("lock incq r", ".byte 0xf0; incq %0");
    return 0;
}
