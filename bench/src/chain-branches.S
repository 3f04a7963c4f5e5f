# A translator micro benchmark: per iteration five basic blocks, two of them chosen by a bit of a
# linear congruential generator (branches no predictor learns), joined by jmps; the cost of block
# boundaries (chained exits) with data-dependent branches, as in an LZMA range decoder.
# usage: chain-branches ITERATIONS 32|64 (64: the same blocks with 64-bit flag-setting ops)
# output: one letter, a checksum of the run (the same natively and under emulation); exit status 0
.globl _start
.text
_start:
    mov 16(%rsp),%rsi           # argv[1]: decimal iteration count
    xor %r8,%r8
1:  movzbl (%rsi),%eax
    test %eax,%eax
    jz 2f
    imul $10,%r8,%r8
    sub $48,%eax
    add %rax,%r8
    inc %rsi
    jmp 1b
2:  mov %r8,%rcx
    mov $12345,%eax
    xor %edx,%edx
    xor %ebx,%ebx
    mov 24(%rsp),%rsi           # argv[2]
    cmpb $'6',(%rsi)
    je top64
top32:
    imul $1103515245,%eax,%eax
    add $12345,%eax
    test $0x10000,%eax
    jnz side32
    add $7,%edx
    xor %eax,%ebx
    jmp join32
side32:
    sub $3,%edx
    add %eax,%ebx
join32:
    test $0x20000,%eax
    jz other32
    add %ebx,%edx
    jmp next32
other32:
    sub %ebx,%edx
next32:
    dec %ecx
    jnz top32
    jmp done
top64:
    imul $1103515245,%eax,%eax
    add $12345,%eax
    test $0x10000,%eax
    jnz side64
    add $7,%rdx
    xor %rax,%rbx
    jmp join64
side64:
    sub $3,%rdx
    add %rax,%rbx
join64:
    test $0x20000,%eax
    jz other64
    add %rbx,%rdx
    jmp next64
other64:
    sub %rbx,%rdx
next64:
    dec %rcx
    jnz top64
done:
    and $15,%edx
    add $'A',%edx
    push %rdx
    mov $1,%eax                 # write(1, the letter, 1)
    mov $1,%edi
    mov %rsp,%rsi
    mov $1,%edx
    syscall
    xor %edi,%edi
    mov $60,%eax                # exit(0)
    syscall
