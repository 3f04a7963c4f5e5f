package org.qemu.i386.difftest;

import java.util.Arrays;
import java.util.HexFormat;

/** What a case ended with: a trap signal, or registers, EFLAGS and the data buffer. */
record Outcome(int trapSignal, int[] regs, int eflags, byte[] data) {
    static Outcome trap(int signal) {
        return new Outcome(signal, null, 0, null);
    }

    /** Parses a harness output line: 7 registers (EAX ECX EDX EBX EBP ESI EDI), or 8 with ESP after EBX. */
    static Outcome parse(String line, boolean withEsp) {
        String[] f = line.trim().split(" ");
        if (f[0].equals("TRAP")) {
            return trap(Integer.parseInt(f[1]));
        }
        int n = withEsp ? 8 : 7;
        int[] regs = new int[n];
        for (int i = 0; i < n; i++) {
            regs[i] = Integer.parseUnsignedInt(f[i], 16);
        }
        return new Outcome(0, regs, Integer.parseUnsignedInt(f[n], 16), HexFormat.of().parseHex(f[n + 1]));
    }

    /** Null when equal under {@code definedFlags}, else a description of the first difference. */
    String difference(Outcome other, int definedFlags) {
        if (trapSignal != other.trapSignal) {
            return "trap " + trapSignal + " vs " + other.trapSignal;
        }
        if (trapSignal != 0) {
            return null;
        }
        String[] names = regs.length == 8 ? new String[] {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"}
                : new String[] {"eax", "ecx", "edx", "ebx", "ebp", "esi", "edi"};
        for (int i = 0; i < regs.length; i++) {
            if (regs[i] != other.regs[i]) {
                return names[i] + " " + Integer.toHexString(regs[i]) + " vs " + Integer.toHexString(other.regs[i]);
            }
        }
        if ((eflags & definedFlags) != (other.eflags & definedFlags)) {
            return "eflags " + Integer.toHexString(eflags & definedFlags) + " vs " + Integer.toHexString(other.eflags & definedFlags)
                    + " (mask " + Integer.toHexString(definedFlags) + ")";
        }
        if (!Arrays.equals(data, other.data)) {
            int i = Arrays.mismatch(data, other.data);
            return "memory at +" + i + ": " + (data[i] & 0xff) + " vs " + (other.data[i] & 0xff);
        }
        return null;
    }
}
