/* Multiboot v1 entry: EAX = 0x2BADB002, EBX = info. Loads its own flat GDT (the loader's may be gone). */
        .section .multiboot, "a"
        .align 4
        .long 0x1BADB002
        .long 0
        .long -0x1BADB002

        .text
        .globl _start
_start:
        cli
        mov %eax, multiboot_magic
        mov %ebx, multiboot_info
        lgdt gdt_descriptor
        ljmp $0x08, $1f
1:      mov $0x10, %ax
        mov %ax, %ds
        mov %ax, %es
        mov %ax, %ss
        mov %ax, %fs
        mov %ax, %gs
        mov $stack_top, %esp
        call payload_main
        call reset_machine
2:      hlt
        jmp 2b

        .data
        .align 8
        .globl gdt
gdt:    .quad 0
        .quad 0x00cf9a000000ffff        /* 0x08: 32-bit code, flat */
        .quad 0x00cf92000000ffff        /* 0x10: data, flat */
        .quad 0x00af9a000000ffff        /* 0x18: 64-bit code */
gdt_end:
        .globl gdt_descriptor
gdt_descriptor:
        .word gdt_end - gdt - 1
        .long gdt
        .globl multiboot_magic
multiboot_magic: .long 0
        .globl multiboot_info
multiboot_info: .long 0

        .bss
        .align 16
        .space 16384
        .globl stack_top
stack_top:
