/*
 * The LOCK prefix: taken on read-modify-writes of memory, #UD (SIGILL with ILL_ILLOPN) on
 * anything else. Each case is a function of its own, run through attempt(): a SIGILL handler
 * records the signal's code and jumps back there with siglongjmp (no local of attempt changes
 * after its sigsetjmp). The same output natively and under emulation.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static sigjmp_buf back;
static volatile int code;
static volatile unsigned long cell = 0x1234;

static void on_ill(int sig, siginfo_t *info, void *context) {
    (void)sig;
    (void)context;
    code = info->si_code;
    siglongjmp(back, 1);
}

/* 0 when f ran, else the SIGILL's si_code */
static int attempt(void (*f)(void)) {
    code = 0;
    if (sigsetjmp(back, 1) == 0) {
        f();
    }
    return code;
}

#define CASE(fn, insn)                                                                 \
    __attribute__((noinline)) static void fn(void) {                                  \
        unsigned long r = 5, v = 61; /* also a bit offset inside cell */               \
        __asm__ volatile(insn : "+r"(r), "+m"(cell) : "r"(v) : "cc", "memory");          \
    }

CASE(lock_add_m_r, "lock addq %2, %1")
CASE(lock_xadd_m_r, "lock xaddq %0, %1")
CASE(lock_bts_m_r, "lock btsq %2, %1")
CASE(lock_not_m, "lock notq %1")
CASE(lock_inc_m, "lock incq %1")
CASE(lock_cmpxchg_m_r, "lock cmpxchgq %2, %1")
CASE(lock_add_r_r, ".byte 0xf0; addq %2, %0")
CASE(lock_add_r_m, ".byte 0xf0; addq %1, %0")
CASE(lock_cmp_m_r, ".byte 0xf0; cmpq %2, %1")
CASE(lock_mov_m_r, ".byte 0xf0; movq %2, %1")
CASE(lock_bt_m_r, ".byte 0xf0; btq %2, %1")
CASE(lock_popcnt_r_m, ".byte 0xf0; popcntq %1, %0")
CASE(lock_bsf_r_r, ".byte 0xf0; bsfq %2, %0")
CASE(lock_inc_r, ".byte 0xf0; incq %0")

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_ill;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGILL, &sa, 0);
    static const struct { const char *name; void (*f)(void); } cases[] = {
        {"lock add m, r", lock_add_m_r}, {"lock xadd m, r", lock_xadd_m_r}, {"lock bts m, r", lock_bts_m_r},
        {"lock not m", lock_not_m}, {"lock inc m", lock_inc_m}, {"lock cmpxchg m, r", lock_cmpxchg_m_r},
        {"lock add r, r", lock_add_r_r}, {"lock add r, m", lock_add_r_m}, {"lock cmp m, r", lock_cmp_m_r},
        {"lock mov m, r", lock_mov_m_r}, {"lock bt m, r", lock_bt_m_r}, {"lock popcnt r, m", lock_popcnt_r_m},
        {"lock bsf r, r", lock_bsf_r_r}, {"lock inc r", lock_inc_r},
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int c = attempt(cases[i].f);
        if (c == 0) {
            printf("%-18s ran, cell %lx\n", cases[i].name, cell);
        } else {
            printf("%-18s SIGILL code %d\n", cases[i].name, c);
        }
    }
    return 0;
}
