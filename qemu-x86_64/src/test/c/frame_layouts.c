/* Prints "struct.field offset size" for the x86-64 signal frame structs (asm/sigcontext.h,
 * asm/ucontext.h, asm/siginfo.h): the parts of rt_sigframe the emulator writes. */
#include <stddef.h>
#include <stdio.h>
#include <asm/signal.h>
#include <asm/siginfo.h>
#include <asm/sigcontext.h>
#include <asm/ucontext.h>

#define FIELD(type, name, field) \
    printf("%s.%s %zu %zu\n", name, #field, offsetof(type, field), sizeof(((type *) 0)->field))
#define SIZE(type, name) printf("%s %zu\n", name, sizeof(type))

int main(void)
{
    SIZE(struct sigcontext, "sigcontext");
    FIELD(struct sigcontext, "sigcontext", r8);
    FIELD(struct sigcontext, "sigcontext", r9);
    FIELD(struct sigcontext, "sigcontext", r10);
    FIELD(struct sigcontext, "sigcontext", r11);
    FIELD(struct sigcontext, "sigcontext", r12);
    FIELD(struct sigcontext, "sigcontext", r13);
    FIELD(struct sigcontext, "sigcontext", r14);
    FIELD(struct sigcontext, "sigcontext", r15);
    FIELD(struct sigcontext, "sigcontext", rdi);
    FIELD(struct sigcontext, "sigcontext", rsi);
    FIELD(struct sigcontext, "sigcontext", rbp);
    FIELD(struct sigcontext, "sigcontext", rbx);
    FIELD(struct sigcontext, "sigcontext", rdx);
    FIELD(struct sigcontext, "sigcontext", rax);
    FIELD(struct sigcontext, "sigcontext", rcx);
    FIELD(struct sigcontext, "sigcontext", rsp);
    FIELD(struct sigcontext, "sigcontext", rip);
    FIELD(struct sigcontext, "sigcontext", eflags);
    FIELD(struct sigcontext, "sigcontext", cs);
    FIELD(struct sigcontext, "sigcontext", gs);
    FIELD(struct sigcontext, "sigcontext", fs);
    FIELD(struct sigcontext, "sigcontext", ss);
    FIELD(struct sigcontext, "sigcontext", err);
    FIELD(struct sigcontext, "sigcontext", trapno);
    FIELD(struct sigcontext, "sigcontext", oldmask);
    FIELD(struct sigcontext, "sigcontext", cr2);
    FIELD(struct sigcontext, "sigcontext", fpstate);

    SIZE(struct ucontext, "ucontext");
    FIELD(struct ucontext, "ucontext", uc_flags);
    FIELD(struct ucontext, "ucontext", uc_link);
    FIELD(struct ucontext, "ucontext", uc_stack);
    FIELD(struct ucontext, "ucontext", uc_mcontext);
    FIELD(struct ucontext, "ucontext", uc_sigmask);
    FIELD(stack_t, "stack", ss_sp);
    FIELD(stack_t, "stack", ss_flags);
    FIELD(stack_t, "stack", ss_size);

    SIZE(struct _fpstate_64, "fpstate");
    FIELD(struct _fpstate_64, "fpstate", cwd);
    FIELD(struct _fpstate_64, "fpstate", mxcsr);
    FIELD(struct _fpstate_64, "fpstate", st_space);
    FIELD(struct _fpstate_64, "fpstate", xmm_space);

    SIZE(siginfo_t, "siginfo");
    printf("UC_SIGCONTEXT_SS %d\n", UC_SIGCONTEXT_SS);
    printf("UC_STRICT_RESTORE_SS %d\n", UC_STRICT_RESTORE_SS);
    return 0;
}
