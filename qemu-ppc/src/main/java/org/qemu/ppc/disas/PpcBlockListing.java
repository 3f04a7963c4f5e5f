package org.qemu.ppc.disas;

import java.util.ArrayList;
import java.util.List;

import org.qemu.common.log.TranslationLog;
import org.qemu.ppc.translate.Instruction;

/**
 * A translated block for {@code -d in_asm} (each word as objdump reads it) and {@code -d op}
 * (the semantic helper each word was bound to, with its decoded operands: what the block's
 * generated code calls, in order).
 */
public final class PpcBlockListing {
    private PpcBlockListing() {
    }

    public static void write(TranslationLog log, List<Instruction> block) {
        List<String> assembly = new ArrayList<>();
        List<String> ops = new ArrayList<>();
        for (Instruction insn : block) {
            if (log.inAsm()) {
                assembly.add(TranslationLog.instructionLine(Integer.toUnsignedLong(insn.address()),
                        PpcDisassembler.disassemble(insn.address(), insn.word())));
            }
            if (log.ops()) {
                ops.add(opLine(insn));
            }
        }
        log.block(Integer.toUnsignedLong(block.getFirst().address()), assembly, ops);
    }

    /** {@code 0x100003a0: FlowOps.mflr 13 [plain]}: address, helper, operands, how it may end the block. */
    static String opLine(Instruction insn) {
        StringBuilder line = new StringBuilder(String.format("0x%08x: %s.%s", Integer.toUnsignedLong(insn.address()),
                insn.owner().getSimpleName(), insn.method()));
        for (int operand : insn.operands()) {
            line.append(' ').append(operand < 0 || operand > 0xffff ? "0x" + Integer.toHexString(operand) : Integer.toString(operand));
        }
        line.append(" [").append(insn.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')).append(']');
        return line.toString();
    }
}
