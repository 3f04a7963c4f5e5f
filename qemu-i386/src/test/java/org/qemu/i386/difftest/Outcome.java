package org.qemu.i386.difftest;

import java.util.Arrays;
import java.util.HexFormat;

/** What a case ended with: a trap signal, or registers, EFLAGS and the data buffer. */
record Outcome(int trapSignal, int[] regs, int eflags, byte[] data) {
    static Outcome trap(int signal) {
        return new Outcome(signal, null, 0, null);
    }

    /** Parses a line of the native harness output. */
    static Outcome parse(String line) {
        String[] f = line.trim().split(" ");
        if (f[0].equals("TRAP")) {
            return trap(Integer.parseInt(f[1]));
        }
        int[] regs = new int[7];
        for (int i = 0; i < 7; i++) {
            regs[i] = Integer.parseUnsignedInt(f[i], 16);
        }
        return new Outcome(0, regs, Integer.parseUnsignedInt(f[7], 16), HexFormat.of().parseHex(f[8]));
    }

    /** Null when equal under {@code definedFlags}, else a description of the first difference. */
    String difference(Outcome other, int definedFlags) {
        if (trapSignal != other.trapSignal) {
            return "trap " + trapSignal + " vs " + other.trapSignal;
        }
        if (trapSignal != 0) {
            return null;
        }
        String[] names = {"eax", "ecx", "edx", "ebx", "ebp", "esi", "edi"};
        for (int i = 0; i < 7; i++) {
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
