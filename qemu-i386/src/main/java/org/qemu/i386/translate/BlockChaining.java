package org.qemu.i386.translate;

import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

import org.qemu.common.tcg.ChainedSequence;
import org.qemu.common.tcg.TranslationBlock;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;

/**
 * The exit of a compiled x86 block (32-bit and 64-bit code alike): once the block has written its
 * registers and flags back and stored the pc it leaves to, it calls the remembered compiled
 * successor for that pc directly ({@link ChainedSequence}, entering its {@link X86Sequence#enter}
 * with the CPU, state, registers and memory this block holds), if the CPU allows one more chained
 * block ({@link X86Cpu#chainTarget}); otherwise it tells the CPU which block it left from
 * ({@link X86Cpu#leftFrom}), so the run loop can link that exit to the block it finds next.
 *
 * <p>Both emitters keep the same locals this code uses: the sequence itself (0), the CPU (2), its
 * state (3), the register array (4) and guest memory (5). Emit {@link #emitExit} after the block's
 * last write-back, outside its exception handler's range, and {@link #emitFaultOwner} first thing
 * in the handler.
 */
final class BlockChaining {
    static final String BLOCK = Type.getInternalName(TranslationBlock.class);
    private static final String CHAINED = Type.getInternalName(ChainedSequence.class);
    private static final String CPU = Type.getInternalName(X86Cpu.class);
    private static final String STATE = Type.getInternalName(X86CpuState.class);
    private static final int THIS = X86Emitter.THIS, CPU_LOCAL = X86Emitter.CPU_LOCAL, STATE_LOCAL = X86Emitter.STATE_LOCAL;

    private BlockChaining() {
    }

    /**
     * The block's exit: for each of the two link slots, the CPU's answer whether to enter the
     * slot's sequence ({@link X86Cpu#chainTarget}: it starts at the pc being left to, is alive, and
     * the budget allows one more; one test here, the rest in that method) and a call of its {@code
     * enter} from a call site of its own (so each site sees one receiver class); else record the
     * exit and return.
     */
    static void emitExit(MethodVisitor mv) {
        for (String slot : new String[] {"chain0", "chain1"}) {
            Label notThis = new Label();
            mv.visitVarInsn(Opcodes.ALOAD, CPU_LOCAL);
            mv.visitVarInsn(Opcodes.ALOAD, THIS);
            mv.visitFieldInsn(Opcodes.GETFIELD, CHAINED, slot, "L" + CHAINED + ";");
            mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
            mv.visitFieldInsn(Opcodes.GETFIELD, STATE, "rip", "J");
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, CPU, "chainTarget", "(L" + CHAINED + ";J)L" + CHAINED + ";", false);
            mv.visitInsn(Opcodes.DUP);
            mv.visitJumpInsn(Opcodes.IFNULL, notThis);
            // what this block holds, handed on (X86Sequence): the successor starts at its own code
            mv.visitTypeInsn(Opcodes.CHECKCAST, BytecodeBlockCompiler.X86_SEQUENCE);
            emitEnter(mv, BytecodeBlockCompiler.X86_SEQUENCE);
            mv.visitLabel(notThis);
            mv.visitInsn(Opcodes.POP);
        }
        mv.visitVarInsn(Opcodes.ALOAD, CPU_LOCAL);
        mv.visitVarInsn(Opcodes.ALOAD, THIS);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, CPU, "leftFrom", "(L" + CHAINED + ";)V", false);
        mv.visitInsn(Opcodes.RETURN);
    }

    /**
     * With a sequence of class {@code owner} on the stack: calls its {@link X86Sequence#enter} with
     * the context locals (the CPU, as the context too, its state, register array and memory) and
     * returns. The chained exit's call and each class's {@code run} (BytecodeBlockCompiler).
     */
    static void emitEnter(MethodVisitor mv, String owner) {
        for (int local : new int[] {CPU_LOCAL, CPU_LOCAL, STATE_LOCAL, X86Emitter.REGS, X86Emitter.MEM}) {
            mv.visitVarInsn(Opcodes.ALOAD, local);
        }
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, owner, "enter", BytecodeBlockCompiler.ENTER, false);
        mv.visitInsn(Opcodes.RETURN);
    }

    /**
     * At the handler's start (the exception on the operand stack): tells the CPU that this block
     * faulted, so the fault is reported at this block's instruction even when the run loop
     * entered an earlier block of the chain.
     */
    static void emitFaultOwner(MethodVisitor mv) {
        mv.visitVarInsn(Opcodes.ALOAD, CPU_LOCAL);
        mv.visitVarInsn(Opcodes.ALOAD, THIS);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, CPU, "faultIn", "(L" + CHAINED + ";)V", false);
    }
}
