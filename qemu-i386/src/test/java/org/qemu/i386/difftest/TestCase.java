package org.qemu.i386.difftest;

import java.util.HexFormat;

/**
 * One differential test case: code bytes, initial registers (EAX ECX EDX EBX EBP ESI EDI),
 * initial EFLAGS, the initial data buffer, and which EFLAGS bits the architecture defines
 * after this instruction (the others are not compared).
 */
record TestCase(String form, byte[] code, int[] regs, int esp, int eflags, byte[] data, int definedFlags) {
    /** The harness input line; the i386 harness also takes ESP (after EBX, in register number order). */
    String toHarnessLine(boolean withEsp) {
        StringBuilder sb = new StringBuilder();
        sb.append(HexFormat.of().formatHex(code));
        for (int i = 0; i < regs.length; i++) {
            if (withEsp && i == 4) {
                sb.append(' ').append(Integer.toHexString(esp));
            }
            sb.append(' ').append(Integer.toHexString(regs[i]));
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
        return sb.append(" esp=").append(Integer.toHexString(esp)).append(" eflags=").append(Integer.toHexString(eflags)).toString();
    }
}
