/* Long mode: identity-map the first 1 GiB with 2 MiB pages, enable PAE, LME, paging, then print. */
        .text
        .code32
        .globl payload_main
payload_main:
        call serial_init
        /* PML4[0] -> PDPT, PDPT[0] -> PD, PD[i] = i * 2 MiB | present | writable | large */
        mov $pdpt, %eax
        or $3, %eax
        mov %eax, pml4
        mov $pd, %eax
        or $3, %eax
        mov %eax, pdpt
        xor %ecx, %ecx
1:      mov %ecx, %eax
        shl $21, %eax
        or $0x83, %eax
        mov %eax, pd(,%ecx,8)
        inc %ecx
        cmp $512, %ecx
        jne 1b
        mov %cr4, %eax
        or $0x20, %eax                  /* PAE */
        mov %eax, %cr4
        mov $pml4, %eax
        mov %eax, %cr3
        mov $0xc0000080, %ecx           /* EFER */
        rdmsr
        or $0x100, %eax                 /* LME */
        wrmsr
        mov %cr0, %eax
        or $0x80000000, %eax            /* PG */
        mov %eax, %cr0
        ljmp $0x18, $long_mode

        .code64
long_mode:
        mov $0xc0000080, %ecx
        rdmsr
        test $0x400, %eax               /* LMA: the CPU says long mode is active */
        jz 3f
        lea message(%rip), %rsi
2:      lodsb
        test %al, %al
        jz 4f
        mov %al, %bl
        mov $0x3fd, %dx
5:      inb %dx, %al
        test $0x20, %al
        jz 5b
        mov %bl, %al
        mov $0x3f8, %dx
        outb %al, %dx
        jmp 2b
3:      lea failure(%rip), %rsi
        jmp 2b
4:      mov $0x64, %dx
        mov $0xfe, %al
        outb %al, %dx
6:      cli
        hlt
        jmp 6b

        .section .rodata
message: .asciz "Hello from 64-bit long mode\r\nlong mode ok\r\n"
failure: .asciz "LMA not set\r\n"

        .bss
        .align 4096
pml4:   .space 4096
pdpt:   .space 4096
pd:     .space 4096
