/* Real-mode start of an application processor, copied to 0x8000 (SIPI vector 0x08). */
        .set BASE, 0x8000
        .text
        .code16
        .globl trampoline_start, trampoline_end
trampoline_start:
        cli
        xor %ax, %ax
        mov %ax, %ds
        lgdtl (tramp_gdt_descriptor - trampoline_start + BASE)
        mov %cr0, %eax
        or $1, %eax
        mov %eax, %cr0
        ljmpl $0x08, $ap_entry32
        .align 8
tramp_gdt:
        .quad 0
        .quad 0x00cf9a000000ffff
        .quad 0x00cf92000000ffff
tramp_gdt_descriptor:
        .word 23
        .long tramp_gdt - trampoline_start + BASE
trampoline_end:

        .code32
ap_entry32:
        mov $0x10, %ax
        mov %ax, %ds
        mov %ax, %es
        mov %ax, %ss
        mov $ap_stack_top, %esp
        lgdt gdt_descriptor
        call ap_main
1:      cli
        hlt
        jmp 1b

        .bss
        .align 16
        .space 4096
ap_stack_top:
