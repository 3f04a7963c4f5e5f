/* setjmp/longjmp, including floating-point registers that must survive the jump. */
#include <setjmp.h>
#include <stdio.h>

static jmp_buf env;
static int depth;

static void recurse(int n) {
    volatile double local = n * 1.5;
    if (n == 0) {
        longjmp(env, 42);
    }
    depth++;
    recurse(n - 1);
    printf("never %f\n", local);
}

int main(void) {
    volatile double kept = 2.25;
    volatile int count = 0;
    int r = setjmp(env);
    count++;
    if (r == 0) {
        recurse(10);
    }
    printf("setjmp returned %d after depth %d, count %d, kept %.2f\n", r, depth, count, kept);
    sigjmp_buf senv;
    if (sigsetjmp(senv, 1) == 0) {
        siglongjmp(senv, 7);
    }
    printf("siglongjmp ok\n");
    return 0;
}
