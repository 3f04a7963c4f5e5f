package org.qemu.i386.disas;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

import org.qemu.common.log.TranslationLog;
import org.qemu.common.memory.GuestMemory;

/**
 * A translated x86 block for {@code -d in_asm} (each instruction as objdump reads it; bytes we
 * do not read are listed as {@code .byte}) and {@code -d op} (the op object bound to each
 * instruction: its class and the operands it captured, as the block runs them).
 */
public final class X86BlockListing {
    private X86BlockListing() {
    }

    /**
     * {@code starts[i]}/{@code ends[i]}: the bytes op i was translated from (equal for an op the
     * translator added, such as the jump to the next page); {@code codeBits} 16, 32 or 64.
     */
    public static void write(TranslationLog log, GuestMemory memory, long pc, int codeBits, Object[] ops, long[] starts, long[] ends) {
        List<String> assembly = new ArrayList<>();
        List<String> opLines = new ArrayList<>();
        for (int i = 0; i < ops.length; i++) {
            long start = starts[i];
            int length = (int) (ends[i] - starts[i]);
            if (log.inAsm() && length > 0) {
                assembly.add(TranslationLog.instructionLine(start, text(memory, start, length, codeBits)));
            }
            if (log.ops()) {
                opLines.add(String.format("0x%08x: %s", start, describe(ops[i])));
            }
        }
        log.block(pc, assembly, opLines);
    }

    private static String text(GuestMemory memory, long start, int length, int codeBits) {
        X86Disassembler.Disassembled read;
        try {
            read = X86Disassembler.disassemble(a -> memory.fetch8(a), start, codeBits);
        } catch (RuntimeException unreadable) {
            read = null;
        }
        if (read != null && read.length() == length) {
            return read.text();
        }
        StringBuilder bytes = new StringBuilder(".byte ");
        for (int i = 0; i < length; i++) {
            bytes.append(i == 0 ? "" : ",").append(String.format("0x%02x", memory.fetch8(start + i)));
        }
        return bytes.toString();
    }

    /** {@code Binary{kind=ADD, bits=32, ...}}: the op's class and its captured fields. */
    static String describe(Object op) {
        Class<?> type = op.getClass();
        String name = type.getSimpleName().isEmpty() ? type.getName() : type.getSimpleName();
        int cut = name.indexOf("$$");
        if (cut > 0) {
            name = name.substring(0, cut);
        }
        StringBuilder text = new StringBuilder(name).append('{');
        boolean first = true;
        for (Field field : type.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers())) {
                continue;
            }
            String value;
            try {
                field.setAccessible(true);
                value = valueText(field.get(op));
            } catch (ReflectiveOperationException | RuntimeException hidden) {
                value = "?";
            }
            text.append(first ? "" : ", ").append(field.getName()).append('=').append(value);
            first = false;
        }
        return text.append('}').toString();
    }

    private static String valueText(Object value) {
        if (value instanceof Integer n) {
            return n < 0 || n > 0xffff ? "0x" + Integer.toHexString(n) : n.toString();
        }
        if (value instanceof Long n) {
            return "0x" + Long.toHexString(n);
        }
        if (value == null || value instanceof Number || value instanceof Boolean || value instanceof Enum<?> || value instanceof String) {
            return String.valueOf(value);
        }
        return value.getClass().getSimpleName().isEmpty() ? "op" : value.getClass().getSimpleName();
    }
}
