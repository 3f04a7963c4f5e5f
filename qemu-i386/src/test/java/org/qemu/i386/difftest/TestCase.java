package org.qemu.i386.difftest;

import java.util.HexFormat;

/**
 * One differential test case: code bytes, initial registers (EAX ECX EDX EBX EBP ESI EDI),
 * initial EFLAGS, the initial data buffer, and which EFLAGS bits the architecture defines
 * after this instruction (the others are not compared).
 */
record TestCase(String form, byte[] code, int[] regs, int eflags, byte[] data, int definedFlags) {
    String toHarnessLine() {
        StringBuilder sb = new StringBuilder();
        sb.append(HexFormat.of().formatHex(code));
        for (int r : regs) {
            sb.append(' ').append(Integer.toHexString(r));
        }
        sb.append(' ').append(Integer.toHexString(eflags));
        sb.append(' ').append(HexFormat.of().formatHex(data));
        return sb.toString();
    }

    String describe() {
        StringBuilder sb = new StringBuilder(form).append(" code=").append(HexFormat.of().formatHex(code));
        String[] names = {"eax", "ecx", "edx", "ebx", "ebp", "esi", "edi"};
        for (int i = 0; i < 7; i++) {
            sb.append(' ').append(names[i]).append('=').append(Integer.toHexString(regs[i]));
        }
        return sb.append(" eflags=").append(Integer.toHexString(eflags)).toString();
    }
}
