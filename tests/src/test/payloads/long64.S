/* Long mode system state (built by TcgLongModePayloadTest): 4-level paging with 2 MiB pages, a
 * GDT and IDT loaded with the 64-bit lgdt/lidt forms, lretq, a 64-bit TSS with RSP0 and two IST
 * stacks, exceptions and interrupts through 64-bit gates (frames printed: vector, error code,
 * RIP, CS, RFLAGS, RSP, SS and where the frame landed), #PF with CR2 (absent PDPTE, execute-disable
 * fetch), CR8, swapgs with the GS base MSRs, ring 3 through iretq,
 * syscall/sysretq with STAR/LSTAR/FMASK, int from ring 3 through a DPL-3 gate, and hlt in ring 3. */

        .text
        .code32
        .globl payload_main
payload_main:
        call serial_init
        mov $pdpt, %eax
        or $7, %eax
        mov %eax, pml4
        mov $pd, %eax
        or $7, %eax
        mov %eax, pdpt
        xor %ecx, %ecx
1:      mov %ecx, %eax
        shl $21, %eax
        or $0x87, %eax                  /* present, writable, user, 2 MiB */
        mov %eax, pd(,%ecx,8)
        inc %ecx
        cmp $511, %ecx
        jne 1b
        movl $0x3fe00087, pd + 511 * 8  /* the last 2 MiB: execute-disable once NXE is on */
        movl $0x80000000, pd + 511 * 8 + 4
        mov %cr4, %eax
        or $0x20, %eax
        mov %eax, %cr4
        mov $pml4, %eax
        mov %eax, %cr3
        mov $0xc0000080, %ecx
        rdmsr
        or $0x901, %eax                 /* SCE, LME, NXE */
        wrmsr
        mov %cr0, %eax
        or $0x80000000, %eax
        mov %eax, %cr0
        ljmp $0x18, $long_entry

        .code64
/* prints the NUL-terminated string at %rsi */
puts64:
        push %rax
        push %rdx
1:      lodsb
        test %al, %al
        jz 3f
        mov %al, %ah
        mov $0x3fd, %dx
2:      inb %dx, %al
        test $0x20, %al
        jz 2b
        mov %ah, %al
        mov $0x3f8, %dx
        outb %al, %dx
        jmp 1b
3:      pop %rdx
        pop %rax
        ret

/* prints a space, the label at %rsi, a space and %rax in 16 hex digits */
field64:
        push %rsi
        lea space(%rip), %rsi
        call puts64
        pop %rsi
        call puts64
        lea space(%rip), %rsi
        call puts64
        push %rax
        push %rcx
        push %rdx
        mov %rax, %rdx
        mov $16, %ecx
1:      rol $4, %rdx
        mov %edx, %eax
        and $15, %eax
        lea hexdigits(%rip), %rsi
        movzbl (%rsi,%rax), %eax
        mov %al, one(%rip)
        lea one(%rip), %rsi
        call puts64
        dec %ecx
        jnz 1b
        pop %rdx
        pop %rcx
        pop %rax
        ret

newline64:
        push %rsi
        lea crlf(%rip), %rsi
        call puts64
        pop %rsi
        ret

#define TITLE(s) lea s(%rip), %rsi; call puts64
#define FIELD(name, value) mov value, %rax; lea name(%rip), %rsi; call field64

/* IDT entry %edi = vector, %rax = handler, %edx = type/DPL byte, %ecx = IST */
set_gate:
        push %rbx
        mov %edi, %ebx
        shl $4, %ebx
        lea idt(%rip), %r8
        add %rbx, %r8
        mov %ax, (%r8)
        movw $0x10, 2(%r8)
        mov %cl, 4(%r8)
        mov %dl, 5(%r8)
        shr $16, %rax
        mov %ax, 6(%r8)
        shr $16, %rax
        mov %eax, 8(%r8)
        movl $0, 12(%r8)
        pop %rbx
        ret

long_entry:
        lgdt gdt64_descriptor(%rip)
        mov $0x18, %eax
        mov %eax, %ds
        mov %eax, %es
        mov %eax, %ss
        lea kernel_stack_top(%rip), %rsp
        lea 1f(%rip), %rax
        pushq $0x10
        push %rax
        lretq
1:      TITLE(t_long)
        mov %cs, %eax
        FIELD(f_cs, %rax)
        mov $0xc0000080, %ecx
        rdmsr
        FIELD(f_efer, %rax)
        mov %cr4, %rax
        FIELD(f_cr4, %rax)
        call newline64

        /* the TSS descriptor (16 bytes at 0x38): base split over the descriptor, limit 0x67, type 9 */
        lea tss64(%rip), %rax
        lea gdt64(%rip), %rdi
        movw $0x67, 0x38(%rdi)
        mov %ax, 0x3a(%rdi)
        shr $16, %rax
        mov %al, 0x3c(%rdi)
        movb $0x89, 0x3d(%rdi)
        movb $0, 0x3e(%rdi)
        mov %ah, 0x3f(%rdi)
        shr $16, %rax
        mov %eax, 0x40(%rdi)
        movl $0, 0x44(%rdi)
        lea kernel_stack_top(%rip), %rax
        mov %rax, tss64 + 4(%rip)       /* RSP0 */
        lea ist1_top(%rip), %rax
        mov %rax, tss64 + 0x24(%rip)    /* IST1 */
        lea ist2_top(%rip), %rax
        mov %rax, tss64 + 0x2c(%rip)    /* IST2 */
        mov $0x38, %eax
        ltr %ax

        mov $6, %edi
        lea h_ud(%rip), %rax
        mov $0x8f, %edx                 /* trap gate, DPL 0 */
        xor %ecx, %ecx
        call set_gate
        mov $13, %edi
        lea h_gp(%rip), %rax
        mov $0x8e, %edx
        xor %ecx, %ecx
        call set_gate
        mov $14, %edi
        lea h_pf(%rip), %rax
        mov $0x8e, %edx
        mov $2, %ecx                    /* IST2 */
        call set_gate
        mov $0x40, %edi
        lea h_40(%rip), %rax
        mov $0x8e, %edx
        mov $1, %ecx                    /* IST1 */
        call set_gate
        mov $0x41, %edi
        lea h_41(%rip), %rax
        mov $0xee, %edx                 /* interrupt gate, DPL 3 */
        xor %ecx, %ecx
        call set_gate
        lidt idt_descriptor(%rip)
        sidt stored_idtr(%rip)
        TITLE(t_sidt)
        movzwl stored_idtr(%rip), %eax
        FIELD(f_limit, %rax)
        mov stored_idtr + 2(%rip), %rax
        lea idt(%rip), %rdx
        sub %rdx, %rax
        FIELD(f_base_minus_idt, %rax)
        call newline64

        /* int 0x40 through an IST1 interrupt gate, from a stack that is not 16-byte aligned */
        TITLE(t_int40)
        call newline64
        sub $8, %rsp
        mov $0x1234, %rbx
        int $0x40
        add $8, %rsp
        TITLE(t_back)
        FIELD(f_rbx, %rbx)
        call newline64

        /* ud2 through a trap gate on the current stack */
        lea 1f(%rip), %rax
        mov %rax, resume(%rip)
        ud2
1:      movq $0, resume(%rip)

        /* a read under an absent PDPTE: #PF on IST2, CR2, error 0 */
        lea 1f(%rip), %rax
        mov %rax, resume(%rip)
        mov 0x40000000, %rax
1:
        /* a write there: error 2 */
        lea 1f(%rip), %rax
        mov %rax, resume(%rip)
        movq $5, 0x40000008
1:
        /* a fetch from the execute-disable 2 MiB page: error 0x11 */
        movb $0xc3, 0x3fe00000
        lea 1f(%rip), %rax
        mov %rax, resume(%rip)
        mov $0x3fe00000, %eax
        mov %rsp, saved_rsp(%rip)
        call *%rax
1:      mov saved_rsp(%rip), %rsp
        movq $0, resume(%rip)
        /* (an unknown MSR is #GP(0) on hardware and here; Debian's QEMU 7.2 reads 0, so it is left out) */

        /* CR8 and swapgs */
        mov $5, %eax
        mov %rax, %cr8
        mov %cr8, %rax
        TITLE(t_misc)
        FIELD(f_cr8, %rax)
        lea gs_kernel(%rip), %rax
        mov %rax, %rdx
        shr $32, %rdx
        mov $0xc0000102, %ecx
        wrmsr
        lea gs_user(%rip), %rax
        mov %rax, %rdx
        shr $32, %rdx
        mov $0xc0000101, %ecx
        wrmsr
        mov %gs:0, %rax
        FIELD(f_gs0, %rax)
        swapgs
        mov %gs:0, %rax
        FIELD(f_gs_swapped, %rax)
        swapgs
        call newline64

        /* a loop of two blocks, the shape of the amd64 kernel decompressor's x86 BCJ filter: a
           block ending in a jne to the increment block when the byte is no e8/e9 opcode, and the
           increment block going back by a jb; a match runs a third block that changes the byte
           for the next round (a loop block of the pair in long mode, session 11) */
        lea scanbuf(%rip), %rdi
        xor %ecx, %ecx
1:      mov %ecx, %eax
        imul $37, %eax, %eax
        add $11, %eax
        mov %al, (%rdi,%rcx)
        inc %ecx
        cmp $4096, %ecx
        jb 1b
        xor %r9d, %r9d
        xor %eax, %eax
        xor %edx, %edx
3:      xor %ecx, %ecx
4:      movzbl (%rdi,%rcx), %r8d
        and $0xfe, %r8d
        cmp $0xe8, %r8d
        jne 5f
        inc %rax
        add %rcx, %rdx
        addb $1, (%rdi,%rcx)
5:      inc %rcx
        cmp $4096, %rcx
        jb 4b
        inc %r9d
        cmp $150, %r9d
        jb 3b
        mov %rdx, %rbx
        TITLE(t_scan)
        FIELD(f_matches, %rax)
        FIELD(f_sum, %rbx)
        movzbl scanbuf + 0xe8(%rip), %eax
        FIELD(f_byte, %rax)
        call newline64

        /* syscall setup: STAR (sysret base 0x20, syscall 0x10), LSTAR, FMASK clears IF|TF|DF|AC */
        mov $0xc0000081, %ecx
        xor %eax, %eax
        mov $0x00200010, %edx
        wrmsr
        lea syscall_entry(%rip), %rax
        mov %rax, %rdx
        shr $32, %rdx
        mov $0xc0000082, %ecx
        wrmsr
        mov $0x47700, %eax
        xor %edx, %edx
        mov $0xc0000084, %ecx
        wrmsr

        /* to ring 3 with iretq: SS 0x2b, CS 0x33 */
        TITLE(t_ring3)
        call newline64
        lea user_stack_top(%rip), %rax
        pushq $0x2b
        push %rax
        pushq $0x2
        pushq $0x33
        lea user_code(%rip), %rax
        push %rax
        iretq

user_code:
        mov %cs, %eax
        mov %eax, user_cs(%rip)
        mov $0x77, %eax
        mov $0x1111, %r11
        syscall
user_after_syscall:
        mov %rax, user_rax(%rip)
        pushfq
        pop %rax
        mov %rax, user_flags(%rip)
        int $0x41
        hlt                             /* #GP(0) in ring 3: the handler ends the test */
        jmp .

syscall_entry:
        TITLE(t_syscall)
        mov %cs, %eax
        FIELD(f_cs, %rax)
        mov %ss, %eax
        FIELD(f_ss, %rax)
        lea user_code(%rip), %rax
        sub %rax, %rcx
        FIELD(f_rcx_minus_user, %rcx)
        FIELD(f_r11, %r11)
        pushfq
        pop %rax
        FIELD(f_rflags, %rax)
        call newline64
        mov $0x99, %eax
        mov $0x2, %r11                  /* IF stays clear: no timer interrupts are wanted here */
        lea user_after_syscall(%rip), %rcx
        sysretq

        /* exception and interrupt stubs: push a zero error code where the CPU has none, then the vector */
h_ud:   pushq $0
        pushq $6
        jmp common
h_gp:   pushq $13
        jmp common
h_pf:   pushq $14
        jmp common
h_40:   pushq $0
        pushq $0x40
        jmp common
h_41:   pushq $0
        pushq $0x41
        jmp common

/* stack: vector, error, rip, cs, rflags, rsp, ss */
common:
        push %rax
        push %rcx
        push %rdx
        push %rsi
        push %rdi
        push %r8
        lea 48(%rsp), %rdi              /* the vector slot */
        TITLE(t_vector)
        FIELD(f_vector, 0(%rdi))
        FIELD(f_error, 8(%rdi))
        lea kernel_code_start(%rip), %rax
        mov 16(%rdi), %rcx
        sub %rax, %rcx
        FIELD(f_rip, %rcx)
        FIELD(f_cs, 24(%rdi))
        FIELD(f_rflags, 32(%rdi))
        FIELD(f_ss, 48(%rdi))
        call newline64
        TITLE(t_stack)
        lea 16(%rdi), %r8               /* where the CPU's frame (RIP slot) landed */
        lea ist1_top(%rip), %rcx
        sub %r8, %rcx
        FIELD(f_below_ist1, %rcx)
        lea ist2_top(%rip), %rcx
        sub %r8, %rcx
        FIELD(f_below_ist2, %rcx)
        lea kernel_stack_top(%rip), %rcx
        sub %r8, %rcx
        FIELD(f_below_rsp0, %rcx)
        mov 40(%rdi), %rax
        and $15, %eax
        FIELD(f_old_rsp_low, %rax)
        cmpq $14, 0(%rdi)
        jne 1f
        mov %cr2, %rax
        FIELD(f_cr2, %rax)
1:      call newline64
        cmpq $13, 0(%rdi)
        jne 2f
        testb $3, 24(%rdi)
        jnz finish                      /* #GP from ring 3: the last test */
2:      mov resume(%rip), %rax
        test %rax, %rax
        jz 3f
        mov %rax, 16(%rdi)
3:      pop %r8
        pop %rdi
        pop %rsi
        pop %rdx
        pop %rcx
        pop %rax
        add $16, %rsp
        iretq

finish:
        lea kernel_stack_top(%rip), %rsp
        TITLE(t_user)
        FIELD(f_cs, user_cs(%rip))
        FIELD(f_rax, user_rax(%rip))
        FIELD(f_rflags, user_flags(%rip))
        call newline64
        TITLE(t_done)
        mov $0x64, %dx
        mov $0xfe, %al
        outb %al, %dx
1:      cli
        hlt
        jmp 1b

        .section .rodata
space:  .asciz " "
crlf:   .asciz "\n"
hexdigits: .ascii "0123456789abcdef"
t_long: .asciz "long mode"
t_sidt: .asciz "sidt"
t_int40: .asciz "int 0x40 via IST1"
t_back: .asciz "back from int 0x40"
t_misc: .asciz "misc"
t_ring3: .asciz "to ring 3"
t_syscall: .asciz "syscall"
t_vector: .asciz "exception"
t_stack: .asciz "  stack"
t_user: .asciz "user saw"
t_done: .asciz "long64 done\n"
t_scan: .asciz "two-block scan"
f_matches: .asciz "matches"
f_sum:  .asciz "sum"
f_byte: .asciz "byte"
f_cs:   .asciz "cs"
f_ss:   .asciz "ss"
f_efer: .asciz "efer"
f_cr4:  .asciz "cr4"
f_limit: .asciz "limit"
f_base_minus_idt: .asciz "base-idt"
f_rbx:  .asciz "rbx"
f_cr8:  .asciz "cr8"
f_gs0:  .asciz "gs:0"
f_gs_swapped: .asciz "gs:0 after swapgs"
f_rcx_minus_user: .asciz "rcx-user_code"
f_r11:  .asciz "r11"
f_rflags: .asciz "rflags"
f_rax:  .asciz "rax"
f_vector: .asciz "vector"
f_error: .asciz "error"
f_rip:  .asciz "rip-code"
f_below_ist1: .asciz "ist1-frame"
f_below_ist2: .asciz "ist2-frame"
f_below_rsp0: .asciz "rsp0-frame"
f_old_rsp_low: .asciz "old-rsp&15"
f_cr2:  .asciz "cr2"

        .data
        .align 16
gdt64:  .quad 0
        .quad 0x00cf9a000000ffff        /* 0x08: 32-bit code */
        .quad 0x00af9a000000ffff        /* 0x10: 64-bit kernel code */
        .quad 0x00cf92000000ffff        /* 0x18: kernel data */
        .quad 0x00cffa000000ffff        /* 0x20: 32-bit user code */
        .quad 0x00cff2000000ffff        /* 0x28: user data */
        .quad 0x00affa000000ffff        /* 0x30: 64-bit user code */
        .quad 0, 0                      /* 0x38: the TSS, filled in */
gdt64_end:
gdt64_descriptor:
        .word gdt64_end - gdt64 - 1
        .long gdt64, 0
idt_descriptor:
        .word 256 * 16 - 1
        .long idt, 0
        .align 8
gs_kernel: .quad 0x6b65726e656c
gs_user: .quad 0x75736572
resume: .quad 0
saved_rsp: .quad 0
user_cs: .quad 0
user_rax: .quad 0
user_flags: .quad 0
stored_idtr: .space 16
one:    .byte 0, 0

        .bss
        .align 4096
pml4:   .space 4096
pdpt:   .space 4096
pd:     .space 4096
idt:    .space 4096
tss64:  .space 0x68
        .align 16
scanbuf: .space 4096
        .align 16
        .space 4096
kernel_stack_top:
        .space 4096
ist1_top:
        .space 4096
ist2_top:
        .space 4096
user_stack_top:

        .text
kernel_code_start:
