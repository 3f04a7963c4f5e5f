package org.qemu.ppc.translate;

import java.util.List;

import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

import org.qemu.common.memory.GuestMemory;
import org.qemu.ppc.cpu.IntegerOps;
import org.qemu.ppc.cpu.PpcCpuState;

/**
 * Emits guest instructions into a block or region method, keeping the guest registers it
 * touches in JVM locals: loaded from {@code state.gpr} on first use, written back before
 * anything that can fault, read them through the state, or leave the block. The common
 * integer, load/store and LR/CTR moves are emitted inline; everything else calls its helper.
 *
 * <p>Locals: 0 this, 1 state, 2 scratch int, 3..34 r0..r31, 35 the gpr array, 36 scratch int, 37 the pc of
 * the memory access in progress (for its fault handler); with the inline memory fast path, 38 the
 * page protection table, 39-40 the host base, 41-42 the range mask, 43-44 the guest address of
 * the access in progress, 45 an int and 46-47 a long value being stored or loaded.
 */
final class BlockEmitter {
    private static final String STATE = Type.getInternalName(PpcCpuState.class);
    private static final String MEMORY = Type.getInternalName(GuestMemory.class);
    private static final String BLOCK = Type.getInternalName(PpcBlock.class);
    private static final String INTEGER_OPS = Type.getInternalName(IntegerOps.class);
    private static final int FIRST_GPR = 3;
    private static final int GPR_ARRAY = 35;
    private static final int EA = 36;

    private final MethodVisitor mv;
    private final boolean[] loaded = new boolean[32];
    private final boolean[] dirty = new boolean[32];
    /** Every register this emitter loaded or stored so far, and every one it stored (for a loop's first pass). */
    private final boolean[] everUsed = new boolean[32];
    private final boolean[] everWritten = new boolean[32];
    /** A guest store was emitted so far; in a loop, the body has one somewhere. */
    private boolean storesSeen;
    private boolean loopStores;
    private static final Class<?> LOAD_STORE_OPS = org.qemu.ppc.cpu.LoadStoreOps.class;

    BlockEmitter(MethodVisitor mv) {
        this.mv = mv;
    }

    MethodVisitor visitor() {
        return mv;
    }

    /**
     * What the inline memory fast path of one address space tests, fixed for the life of its
     * {@link GuestMemory} (all three are final there): written into the block class as constants
     * rather than loaded from the memory object at each block entry. In C2's code the host base
     * and range mask are then immediates and the protection table a constant array of known
     * length, so the page index of a 32-bit guest address needs no bounds check; and none of the
     * three holds a register (the hot sort trace spilled them to the stack and to XMM registers).
     *
     * @param tableOwner the class whose static final {@code byte[]} field {@link #TABLE_FIELD} holds the table
     * @param wholeSpace the space is the whole 32-bit range and the table has an entry for every
     *     page an access can touch (the last byte of an 8-byte access at 0xffffffff included):
     *     then an access tests the protection of the pages of its first and last byte, with no
     *     range or page-crossing test (see {@link #fastPathAddress})
     */
    record MemoryConstants(long hostBase, long rangeMask, String tableOwner, boolean wholeSpace) {
        /** The constants of {@code memory}'s fast path, the table in {@code tableOwner}'s static field. */
        static MemoryConstants of(GuestMemory memory, String tableOwner) {
            long size = memory.size();
            boolean wholeSpace = size == 1L << 32 && memory.protectionTable().length > (int) ((size - 1 + 8) >>> GuestMemory.PAGE_SHIFT);
            return new MemoryConstants(memory.hostBase(), memory.rangeMask(), tableOwner, wholeSpace);
        }
    }

    /** The name of a block class's static final field holding the protection table. */
    static final String TABLE_FIELD = "PROTECTION";

    private MemoryConstants memoryConstants;

    /** From now on the prologue takes the fast path's values from {@code constants} (null: from the memory object). */
    void setMemoryConstants(MemoryConstants constants) {
        memoryConstants = constants;
    }

    /** At method entry: the gpr array into its local, and what the inline memory fast path tests. */
    void prologue() {
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        mv.visitFieldInsn(Opcodes.GETFIELD, STATE, "gpr", "[I");
        mv.visitVarInsn(Opcodes.ASTORE, GPR_ARRAY);
        if (INLINE_MEMORY && memoryConstants != null) {
            mv.visitFieldInsn(Opcodes.GETSTATIC, memoryConstants.tableOwner(), TABLE_FIELD, "[B");
            mv.visitVarInsn(Opcodes.ASTORE, PROTECTION);
            mv.visitLdcInsn(memoryConstants.hostBase());
            mv.visitVarInsn(Opcodes.LSTORE, HOST_BASE);
            mv.visitLdcInsn(memoryConstants.rangeMask());
            mv.visitVarInsn(Opcodes.LSTORE, RANGE_MASK);
        } else if (INLINE_MEMORY) {
            mv.visitVarInsn(Opcodes.ALOAD, 1);
            mv.visitFieldInsn(Opcodes.GETFIELD, STATE, "memory", "L" + MEMORY + ";");
            mv.visitInsn(Opcodes.DUP);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, MEMORY, "protectionTable", "()[B", false);
            mv.visitVarInsn(Opcodes.ASTORE, PROTECTION);
            mv.visitInsn(Opcodes.DUP);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, MEMORY, "hostBase", "()J", false);
            mv.visitVarInsn(Opcodes.LSTORE, HOST_BASE);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, MEMORY, "rangeMask", "()J", false);
            mv.visitVarInsn(Opcodes.LSTORE, RANGE_MASK);
        }
    }

    // ---- the inline memory fast path ------------------------------------------------------
    // GuestMemory's accessors, inlined by HotSpot, reload the memory object, its protection
    // table, range mask and host base after every guest store (an Unsafe store to a raw address
    // may alias any field), about a dozen loads per access. Here the three live in locals
    // (registers in compiled code) loaded once per block entry, and the test of
    // GuestMemory.pageProtection is emitted as bytecode: range and page-crossing test, protection
    // bit, then a raw host load or store and one byte swap. Everything else (a page crossing,
    // a fault, a store to a page holding code, an unmapped page) takes the accessor's call,
    // which redoes the check and covers the slow cases, under the site's fault handler.

    /** Off with -Dqemu.ppc.noInlineMemory=true, and when the host loads and stores cannot go straight to memory. */
    static final boolean INLINE_MEMORY = GuestMemory.directAccess() && !Boolean.getBoolean("qemu.ppc.noInlineMemory");
    private static final int PROTECTION = 38;
    private static final int HOST_BASE = 39;
    private static final int RANGE_MASK = 41;
    private static final int ADDRESS = 43;
    private static final int INT_VALUE = 45;
    private static final int LONG_VALUE = 46;

    /**
     * With the guest address in {@link #ADDRESS}: jumps to {@code slow} unless the {@code bytes}
     * at it lie in one page of the guest space whose protection byte has {@code bit}; otherwise
     * leaves the host address on the stack.
     */
    private void fastPathAddress(int bytes, int bit, Label slow) {
        boolean wholeSpace = memoryConstants != null && memoryConstants.wholeSpace();
        // In a whole 32-bit space guest addresses are zero-extended 32-bit values, all inside it,
        // and the host reservation is contiguous: an access whose first and last byte lie on
        // pages with the bit can go to the host address even across the page boundary (RAM_WRITE
        // is clear on a page holding code, so a store touching one still takes the slow path).
        // One branch and no range or crossing arithmetic; C2 drops both index checks, the table
        // being a constant of known length.
        if (!wholeSpace) {
            // the access must lie in the space and in one page
            mv.visitVarInsn(Opcodes.LLOAD, ADDRESS);
            mv.visitVarInsn(Opcodes.LLOAD, RANGE_MASK);
            mv.visitInsn(Opcodes.LAND);
            if (bytes > 1) {
                mv.visitLdcInsn((long) (bytes - 1));
                mv.visitInsn(Opcodes.LADD);
            }
            PpcTranslator.pushInt(mv, GuestMemory.PAGE_SHIFT);
            mv.visitInsn(Opcodes.LUSHR);
            mv.visitInsn(Opcodes.L2I);
            mv.visitJumpInsn(Opcodes.IFNE, slow);
        }
        protectionByte(0);
        if (wholeSpace && bytes > 1) {
            protectionByte(bytes - 1);
            mv.visitInsn(Opcodes.IAND);
        }
        PpcTranslator.pushInt(mv, bit);
        mv.visitInsn(Opcodes.IAND);
        mv.visitJumpInsn(Opcodes.IFEQ, slow);
        mv.visitVarInsn(Opcodes.LLOAD, HOST_BASE);
        mv.visitVarInsn(Opcodes.LLOAD, ADDRESS);
        mv.visitInsn(Opcodes.LADD);
    }

    /** The protection byte of the page holding the byte {@code offset} bytes past {@link #ADDRESS}, on the stack. */
    private void protectionByte(int offset) {
        mv.visitVarInsn(Opcodes.ALOAD, PROTECTION);
        mv.visitVarInsn(Opcodes.LLOAD, ADDRESS);
        if (offset != 0) {
            mv.visitLdcInsn((long) offset);
            mv.visitInsn(Opcodes.LADD);
        }
        PpcTranslator.pushInt(mv, GuestMemory.PAGE_SHIFT);
        mv.visitInsn(Opcodes.LUSHR);
        mv.visitInsn(Opcodes.L2I);
        mv.visitInsn(Opcodes.BALOAD);
    }

    /** Bytes a GuestMemory accessor moves. */
    private static int accessBytes(String accessor) {
        return accessor.endsWith("8") ? 1 : accessor.contains("16") ? 2 : accessor.contains("32") ? 4 : 8;
    }

    /**
     * A guest load through {@code accessor} (read8, read16be, read32be, read64be) of the address
     * in {@link #ADDRESS}: the value ends on the stack, as the accessor returns it.
     */
    private void inlineRead(int pc, String accessor) {
        int bytes = accessBytes(accessor);
        String descriptor = bytes == 8 ? "(J)J" : "(J)I";
        if (!INLINE_MEMORY) {
            mv.visitVarInsn(Opcodes.ALOAD, 1);
            mv.visitFieldInsn(Opcodes.GETFIELD, STATE, "memory", "L" + MEMORY + ";");
            mv.visitVarInsn(Opcodes.LLOAD, ADDRESS);
            guarded(pc, accessor, descriptor);
            return;
        }
        Label slow = new Label();
        Label done = new Label();
        fastPathAddress(bytes, GuestMemory.INLINE_READ, slow);
        switch (bytes) {
            case 1 -> mv.visitMethodInsn(Opcodes.INVOKESTATIC, MEMORY, "hostLoad8", "(J)I", false);
            case 2 -> {
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, MEMORY, "hostLoad16", "(J)I", false);
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Integer", "reverseBytes", "(I)I", false);
                PpcTranslator.pushInt(mv, 16);
                mv.visitInsn(Opcodes.IUSHR);
            }
            case 4 -> {
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, MEMORY, "hostLoad32", "(J)I", false);
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Integer", "reverseBytes", "(I)I", false);
            }
            default -> {
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, MEMORY, "hostLoad64", "(J)J", false);
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Long", "reverseBytes", "(J)J", false);
            }
        }
        mv.visitJumpInsn(Opcodes.GOTO, done);
        mv.visitLabel(slow);
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        mv.visitFieldInsn(Opcodes.GETFIELD, STATE, "memory", "L" + MEMORY + ";");
        mv.visitVarInsn(Opcodes.LLOAD, ADDRESS);
        guarded(pc, accessor, descriptor);
        mv.visitLabel(done);
    }

    /**
     * A guest store through {@code accessor} (write8, write16be, write32be, write64be) of the
     * value in {@link #INT_VALUE} (or {@link #LONG_VALUE} for 8 bytes) to the address in {@link #ADDRESS}.
     */
    private void inlineWrite(int pc, String accessor) {
        int bytes = accessBytes(accessor);
        Label done = new Label();
        if (INLINE_MEMORY) {
            Label slow = new Label();
            fastPathAddress(bytes, GuestMemory.INLINE_WRITE, slow);
            switch (bytes) {
                case 1 -> {
                    mv.visitVarInsn(Opcodes.ILOAD, INT_VALUE);
                    mv.visitMethodInsn(Opcodes.INVOKESTATIC, MEMORY, "hostStore8", "(JI)V", false);
                }
                case 2 -> {
                    mv.visitVarInsn(Opcodes.ILOAD, INT_VALUE);
                    mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Integer", "reverseBytes", "(I)I", false);
                    PpcTranslator.pushInt(mv, 16);
                    mv.visitInsn(Opcodes.IUSHR);
                    mv.visitMethodInsn(Opcodes.INVOKESTATIC, MEMORY, "hostStore16", "(JI)V", false);
                }
                case 4 -> {
                    mv.visitVarInsn(Opcodes.ILOAD, INT_VALUE);
                    mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Integer", "reverseBytes", "(I)I", false);
                    mv.visitMethodInsn(Opcodes.INVOKESTATIC, MEMORY, "hostStore32", "(JI)V", false);
                }
                default -> {
                    mv.visitVarInsn(Opcodes.LLOAD, LONG_VALUE);
                    mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Long", "reverseBytes", "(J)J", false);
                    mv.visitMethodInsn(Opcodes.INVOKESTATIC, MEMORY, "hostStore64", "(JJ)V", false);
                }
            }
            mv.visitJumpInsn(Opcodes.GOTO, done);
            mv.visitLabel(slow);
        }
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        mv.visitFieldInsn(Opcodes.GETFIELD, STATE, "memory", "L" + MEMORY + ";");
        mv.visitVarInsn(Opcodes.LLOAD, ADDRESS);
        if (bytes == 8) {
            mv.visitVarInsn(Opcodes.LLOAD, LONG_VALUE);
            guarded(pc, accessor, "(JJ)V");
        } else {
            mv.visitVarInsn(Opcodes.ILOAD, INT_VALUE);
            guarded(pc, accessor, "(JI)V");
        }
        mv.visitLabel(done);
    }

    boolean[] usedRegisters() {
        return everUsed.clone();
    }

    boolean[] writtenRegisters() {
        return everWritten.clone();
    }

    /**
     * The top of a block that branches back to its start: {@code used} (what a first pass over
     * the block loaded or stored) is loaded into locals once, before the loop, and stays there
     * across iterations; the registers the body writes count as dirty from the top on, so every
     * exit writes them back whichever iteration it leaves from.
     */
    boolean storesSeen() {
        return storesSeen;
    }

    void enterLoop(Label top, boolean[] used, boolean[] written, boolean bodyStores) {
        loopStores = bodyStores;
        for (int r = 0; r < 32; r++) {
            loaded[r] = false;
            dirty[r] = false;
            if (used[r]) {
                load(r);
                mv.visitInsn(Opcodes.POP);
            }
        }
        mv.visitLabel(top);
        for (int r = 0; r < 32; r++) {
            loaded[r] = used[r];
            dirty[r] = written[r];
        }
        loopStart = new InstructionStart(top, used.clone(), written.clone());
    }

    /** The loop top with what is in locals and dirty there (null when the block does not loop). */
    private InstructionStart loopStart;

    // ---- branches (the block compiler; regions call the helpers) --------------------------

    /** What {@link #emitBranch} did with an instruction. */
    enum BranchEmission { NOT_A_BRANCH, CONTINUES, ENDS_BLOCK }

    private static final int TARGET = 2;

    /**
     * Emits b/bc/bclr/bcctr as bytecode: each exit writes back the dirty registers and returns
     * its target; the not-taken path of a conditional branch in the middle of a block goes on
     * with the registers still in locals. A static branch to {@code blockStart} jumps to
     * {@code loopTop} (when not null) unless another thread asked this CPU to stop.
     */
    BranchEmission emitBranch(Instruction insn, boolean last, int continueAt, int blockStart, Label loopTop) {
        int[] o = insn.operands();
        // In a trace an unconditional branch that is not last goes on at the next instruction in
        // the list: its static target, or the guessed target of a computed one (checked).
        boolean traced = !last && !insn.continuesBlock();
        switch (insn.method()) {
            case "branch" -> {
                if (o[2] != 0) {
                    setLink(o[1]);
                }
                if (traced) {
                    leaveIfInvalid(o[0]);
                    return BranchEmission.CONTINUES;
                }
                exitTo(o[0], blockStart, loopTop);
                return BranchEmission.ENDS_BLOCK;
            }
            case "bc" -> {
                int bo = o[0];
                if (o[4] != 0) {
                    setLink(o[3]);
                }
                if ((bo & 0x14) == 0x14) {
                    if (traced) {
                        leaveIfInvalid(o[2]);
                        return BranchEmission.CONTINUES;
                    }
                    exitTo(o[2], blockStart, loopTop);
                    return BranchEmission.ENDS_BLOCK;
                }
                Label notTaken = new Label();
                jumpIfNotTaken(bo, o[1], true, notTaken);
                exitTo(o[2], blockStart, loopTop);
                mv.visitLabel(notTaken);
                if (last) {
                    exitTo(o[3], blockStart, loopTop);
                    return BranchEmission.ENDS_BLOCK;
                }
                return BranchEmission.CONTINUES;
            }
            case "bclr", "bcctr" -> {
                boolean viaLr = insn.method().equals("bclr");
                int bo = o[0];
                mv.visitVarInsn(Opcodes.ALOAD, 1);
                mv.visitFieldInsn(Opcodes.GETFIELD, STATE, viaLr ? "lr" : "ctr", "I");
                PpcTranslator.pushInt(mv, ~3);
                mv.visitInsn(Opcodes.IAND);
                mv.visitVarInsn(Opcodes.ISTORE, TARGET);
                if (o[3] != 0) {
                    setLink(o[2]);
                }
                // bcctr never decrements CTR (BO[2]=0 is an invalid form).
                boolean always = (bo & 0x10) != 0 && (!viaLr || (bo & 0x04) != 0);
                Label notTaken = new Label();
                if (!always) {
                    jumpIfNotTaken(bo, o[1], viaLr, notTaken);
                }
                if (traced) {
                    Label guessed = new Label();
                    mv.visitVarInsn(Opcodes.ILOAD, TARGET);
                    PpcTranslator.pushInt(mv, continueAt);
                    mv.visitJumpInsn(Opcodes.IF_ICMPEQ, guessed);
                    leaveForTarget();
                    mv.visitLabel(guessed);
                    leaveIfInvalid(continueAt);
                    return BranchEmission.CONTINUES;
                }
                leaveForTarget();
                if (!always) {
                    mv.visitLabel(notTaken);
                    exitTo(o[2], blockStart, loopTop);
                }
                return BranchEmission.ENDS_BLOCK;
            }
            default -> {
                return BranchEmission.NOT_A_BRANCH;
            }
        }
    }

    /**
     * Where a trace goes on into code of another segment, and on a loop's back edge: leave for
     * {@code next} if a guest store since the block started dropped the block (a store into
     * code the trace holds, self-modifying code), so the new code gets translated.
     */
    private void leaveIfInvalid(int next) {
        if (!storesSeen && !loopStores) {
            return; // nothing this thread ran since the block started can have written code
        }
        Label valid = new Label();
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitFieldInsn(Opcodes.GETFIELD, BLOCK, "valid", "Z");
        mv.visitJumpInsn(Opcodes.IFNE, valid);
        leaveFor(next);
        mv.visitLabel(valid);
    }

    private void setLink(int returnAddress) {
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        PpcTranslator.pushInt(mv, returnAddress);
        mv.visitFieldInsn(Opcodes.PUTFIELD, STATE, "lr", "I");
    }

    /**
     * The BO rule (bits ISA-numbered, BO[0] = 0x10): BO[2]=0 decrements CTR and needs CTR != 0
     * (BO[3]=0) or CTR == 0 (BO[3]=1); BO[0]=0 needs CR[BI] == BO[1]. Jumps when the branch is not taken.
     */
    private void jumpIfNotTaken(int bo, int bi, boolean mayDecrement, Label notTaken) {
        if (mayDecrement && (bo & 0x04) == 0) {
            mv.visitVarInsn(Opcodes.ALOAD, 1);
            mv.visitInsn(Opcodes.DUP);
            mv.visitFieldInsn(Opcodes.GETFIELD, STATE, "ctr", "I");
            mv.visitInsn(Opcodes.ICONST_1);
            mv.visitInsn(Opcodes.ISUB);
            mv.visitInsn(Opcodes.DUP_X1);
            mv.visitFieldInsn(Opcodes.PUTFIELD, STATE, "ctr", "I");
            mv.visitJumpInsn((bo & 0x02) == 0 ? Opcodes.IFEQ : Opcodes.IFNE, notTaken);
        }
        if ((bo & 0x10) == 0) {
            mv.visitVarInsn(Opcodes.ALOAD, 1);
            mv.visitFieldInsn(Opcodes.GETFIELD, STATE, "cr", "I");
            PpcTranslator.pushInt(mv, 1 << (31 - bi));
            mv.visitInsn(Opcodes.IAND);
            mv.visitJumpInsn((bo & 0x08) != 0 ? Opcodes.IFEQ : Opcodes.IFNE, notTaken);
        }
    }

    /** Where each instruction emitted so far begins, with the registers in locals and dirty there. */
    private record InstructionStart(Label label, boolean[] loaded, boolean[] dirty) { }

    private final java.util.Map<Integer, InstructionStart> instructionStarts = new java.util.HashMap<>();

    /**
     * Called before each instruction of a block or trace: a later branch back to this address
     * can jump here instead of leaving the method. In qsort's merge loop the trace of one branch
     * of the comparison ends with a branch into the middle of itself (the loop has two entries);
     * leaving there made every other comparison a trip through the run loop, with all registers
     * written back and loaded again.
     */
    void markInstruction(int address) {
        Label label = new Label();
        mv.visitLabel(label);
        instructionStarts.put(address, new InstructionStart(label, loaded.clone(), dirty.clone()));
    }

    /**
     * A branch back to an instruction of this method: what is in locals there must be in locals
     * here (loaded from the gpr array, which is current for every register not in a local),
     * and what is dirty here but not there is written back, since that code will not write it.
     */
    private void jumpBack(InstructionStart to) {
        boolean[] loadedBefore = loaded.clone();
        for (int r = 0; r < 32; r++) {
            if (dirty[r] && !to.dirty()[r]) {
                mv.visitVarInsn(Opcodes.ALOAD, GPR_ARRAY);
                PpcTranslator.pushInt(mv, r);
                mv.visitVarInsn(Opcodes.ILOAD, FIRST_GPR + r);
                mv.visitInsn(Opcodes.IASTORE);
            }
        }
        for (int r = 0; r < 32; r++) {
            if (to.loaded()[r] && !loaded[r]) {
                load(r);
                mv.visitInsn(Opcodes.POP);
            }
        }
        mv.visitJumpInsn(Opcodes.GOTO, to.label());
        System.arraycopy(loadedBefore, 0, loaded, 0, 32);
    }

    /** Backward branches into the middle of a method can be switched off (-Dqemu.ppc.noInnerLoops=true) to compare. */
    static final boolean INNER_LOOPS = !Boolean.getBoolean("qemu.ppc.noInnerLoops");

    // ---- detours -----------------------------------------------------------------------------
    // A side exit of a looping trace whose target block branches back into the trace (qsort's
    // merge loop: one side of the comparison copies an element and goes back to the call) runs
    // that block inside the method instead of leaving: the block's code is emitted after the
    // trace's own, entered from that one exit with the registers as they are there, and its
    // branches back into the trace are jumps to the instructions' labels.

    /** A detour claimed by a side exit: where it starts and the register state it starts with. */
    record Detour(List<Instruction> instructions, Label label, boolean[] loaded, boolean[] dirty) { }

    private java.util.Map<Integer, List<Instruction>> detourCode = java.util.Map.of();
    private final java.util.ArrayDeque<Detour> pendingDetours = new java.util.ArrayDeque<>();

    /** The blocks side exits may run inline, by their start address (see {@link PpcTranslator#detours}). */
    void setDetours(java.util.Map<Integer, List<Instruction>> detours) {
        detourCode = new java.util.HashMap<>(detours);
    }

    /** The next detour a side exit jumped to and that is not emitted yet, its state restored and its label placed; or null. */
    Detour enterNextDetour() {
        Detour d = pendingDetours.poll();
        if (d != null) {
            System.arraycopy(d.loaded(), 0, loaded, 0, 32);
            System.arraycopy(d.dirty(), 0, dirty, 0, 32);
            mv.visitLabel(d.label());
        }
        return d;
    }

    /** True when the instruction at {@code address} is already in this method (a detour running into it jumps there). */
    boolean emitted(int address) {
        return instructionStarts.containsKey(address);
    }

    /** Goes on at an instruction already emitted, the code running straight into it. */
    void continueAt(int address, int blockStart, Label loopTop) {
        exitTo(address, blockStart, loopTop);
    }

    /** Leaves the block for a static target, or loops when it is the block's own start or an earlier instruction. */
    private void exitTo(int target, int blockStart, Label loopTop) {
        InstructionStart earlier = INNER_LOOPS && target != blockStart ? instructionStarts.get(target) : null;
        List<Instruction> detour = earlier == null && (loopTop == null || target != blockStart) ? detourCode.remove(target) : null;
        if (detour != null) {
            Label label = new Label();
            pendingDetours.add(new Detour(detour, label, loaded.clone(), dirty.clone()));
            mv.visitJumpInsn(Opcodes.GOTO, label);
            return;
        }
        if (earlier != null) {
            Label leave = new Label();
            mv.visitVarInsn(Opcodes.ALOAD, 1);
            mv.visitFieldInsn(Opcodes.GETFIELD, STATE, "interruptRequested", "Z");
            mv.visitJumpInsn(Opcodes.IFNE, leave);
            if (storesSeen || loopStores) {
                mv.visitVarInsn(Opcodes.ALOAD, 0);
                mv.visitFieldInsn(Opcodes.GETFIELD, BLOCK, "valid", "Z");
                mv.visitJumpInsn(Opcodes.IFEQ, leave);
            }
            jumpBack(earlier);
            mv.visitLabel(leave);
        } else if (loopTop != null && target == blockStart) {
            Label leave = new Label();
            mv.visitVarInsn(Opcodes.ALOAD, 1);
            mv.visitFieldInsn(Opcodes.GETFIELD, STATE, "interruptRequested", "Z");
            mv.visitJumpInsn(Opcodes.IFNE, leave);
            if (loopStores) {
                mv.visitVarInsn(Opcodes.ALOAD, 0);
                mv.visitFieldInsn(Opcodes.GETFIELD, BLOCK, "valid", "Z");
                mv.visitJumpInsn(Opcodes.IFEQ, leave);
            }
            jumpBack(loopStart);
            mv.visitLabel(leave);
        }
        leaveFor(target);
    }

    // ---- exits -----------------------------------------------------------------------------
    // A third of the bytecode of cpubench's block classes was register write-back at their
    // exits (3,376 iastores in 41 classes, 230 exits): every exit wrote back every dirty
    // register itself. With shared exits, an exit stores its target pc in a local and jumps to
    // one tail per set of dirty registers, which writes them back and returns: less bytecode for
    // C1 and C2 to compile while the guest waits for them (a C2 compilation prunes the exits a
    // trace never took before it, shared or not).

    /** Whether exits share their write-back tails (set by PpcTranslator; regions leave their own way). */
    private boolean sharedExits;
    private final java.util.Map<Integer, Label> exitTails = new java.util.LinkedHashMap<>();

    void setSharedExits(boolean shared) {
        sharedExits = shared;
    }

    /** Leaves the method for {@code target}, the dirty registers written back. */
    private void leaveFor(int target) {
        int mask = dirtyMask();
        if (sharedExits && mask != 0) {
            PpcTranslator.pushInt(mv, target);
            mv.visitVarInsn(Opcodes.ISTORE, TARGET);
            mv.visitJumpInsn(Opcodes.GOTO, exitTails.computeIfAbsent(mask, m -> new Label()));
            return;
        }
        writeBack();
        PpcTranslator.pushInt(mv, target);
        mv.visitInsn(Opcodes.IRETURN);
    }

    /** Leaves the method for the pc in the local {@link #TARGET}, the dirty registers written back. */
    private void leaveForTarget() {
        int mask = dirtyMask();
        if (sharedExits && mask != 0) {
            mv.visitJumpInsn(Opcodes.GOTO, exitTails.computeIfAbsent(mask, m -> new Label()));
            return;
        }
        writeBack();
        mv.visitVarInsn(Opcodes.ILOAD, TARGET);
        mv.visitInsn(Opcodes.IRETURN);
    }

    private int dirtyMask() {
        int mask = 0;
        for (int r = 0; r < 32; r++) {
            if (dirty[r]) {
                mask |= 1 << r;
            }
        }
        return mask;
    }

    /** Stores the registers of {@code mask} (bit r: GPR r) from their locals into the state's array. */
    private void writeBackMasked(int mask) {
        for (int r = 0; r < 32; r++) {
            if ((mask & (1 << r)) != 0) {
                mv.visitVarInsn(Opcodes.ALOAD, GPR_ARRAY);
                PpcTranslator.pushInt(mv, r);
                mv.visitVarInsn(Opcodes.ILOAD, FIRST_GPR + r);
                mv.visitInsn(Opcodes.IASTORE);
            }
        }
    }

    /** After the method's code: the shared exit tails its exits jumped to. */
    void emitExitTails() {
        for (var entry : exitTails.entrySet()) {
            mv.visitLabel(entry.getValue());
            int mask = entry.getKey();
            writeBackMasked(mask);
            mv.visitVarInsn(Opcodes.ILOAD, TARGET);
            mv.visitInsn(Opcodes.IRETURN);
        }
        exitTails.clear();
    }

    /** Where control can arrive from elsewhere (a case label, a loop top): nothing is in locals yet. */
    void forget() {
        for (int r = 0; r < 32; r++) {
            loaded[r] = false;
            dirty[r] = false;
        }
    }

    /** Writes back every register changed in a local, leaving them dirty (an exit path the code continues past). */
    private void writeBack() {
        for (int r = 0; r < 32; r++) {
            if (dirty[r]) {
                mv.visitVarInsn(Opcodes.ALOAD, GPR_ARRAY);
                PpcTranslator.pushInt(mv, r);
                mv.visitVarInsn(Opcodes.ILOAD, FIRST_GPR + r);
                mv.visitInsn(Opcodes.IASTORE);
            }
        }
    }

    /** Writes back every register changed in a local. */
    void flush() {
        for (int r = 0; r < 32; r++) {
            if (dirty[r]) {
                mv.visitVarInsn(Opcodes.ALOAD, GPR_ARRAY);
                PpcTranslator.pushInt(mv, r);
                mv.visitVarInsn(Opcodes.ILOAD, FIRST_GPR + r);
                mv.visitInsn(Opcodes.IASTORE);
                dirty[r] = false;
            }
        }
    }

    private void load(int r) {
        everUsed[r] = true;
        if (!loaded[r]) {
            mv.visitVarInsn(Opcodes.ALOAD, GPR_ARRAY);
            PpcTranslator.pushInt(mv, r);
            mv.visitInsn(Opcodes.IALOAD);
            mv.visitVarInsn(Opcodes.ISTORE, FIRST_GPR + r);
            loaded[r] = true;
        }
        mv.visitVarInsn(Opcodes.ILOAD, FIRST_GPR + r);
    }

    /** (RA|0) */
    private void loadOrZero(int r) {
        if (r == 0) {
            mv.visitInsn(Opcodes.ICONST_0);
        } else {
            load(r);
        }
    }

    private void store(int r) {
        everUsed[r] = true;
        everWritten[r] = true;
        mv.visitVarInsn(Opcodes.ISTORE, FIRST_GPR + r);
        loaded[r] = true;
        dirty[r] = true;
    }

    /**
     * Emits one instruction. For a block-ending instruction the helper's next pc is left on
     * the stack, with every register written back.
     */
    void emit(Instruction insn) {
        if (insn.owner() == LOAD_STORE_OPS && !insn.method().startsWith("l")) {
            storesSeen = true; // stw..., stfd..., stmw, stswi, stwcx., dcbz
        }
        if (emitInline(insn)) {
            return;
        }
        if (touchesNoGpr(insn)) {
            // The FPU and CR-logic helpers read and write only the state's other fields and
            // cannot fault: the registers in locals stay valid across the call.
            PpcTranslator.emitCall(mv, insn);
            return;
        }
        flush();
        PpcTranslator.emitCall(mv, insn);
        forget();
    }

    /** Helpers that neither read nor write a general-purpose register and never trap. */
    static boolean touchesNoGpr(Instruction insn) {
        if (insn.kind() != Instruction.Kind.PLAIN) {
            return false;
        }
        String m = insn.method();
        if (insn.owner() == org.qemu.ppc.cpu.FloatOps.class) {
            return true;
        }
        return insn.owner() == IntegerOps.class && (m.startsWith("cr") || m.equals("mcrf") || m.equals("mcrxr"));
    }

    /** Instructions {@link #emit} writes as bytecode of their own rather than a helper call. */
    static boolean isInline(Instruction insn) {
        return INLINE.contains(insn.owner().getSimpleName() + "." + insn.method());
    }

    private static final java.util.Set<String> INLINE = java.util.Set.of("IntegerOps.addi", "IntegerOps.addis",
            "IntegerOps.add", "IntegerOps.subf", "IntegerOps.mullw", "IntegerOps.and", "IntegerOps.or", "IntegerOps.xor",
            "IntegerOps.ori", "IntegerOps.oris", "IntegerOps.xori", "IntegerOps.xoris", "IntegerOps.rlwinm",
            "IntegerOps.andc", "IntegerOps.orc", "IntegerOps.nand", "IntegerOps.nor", "IntegerOps.eqv",
            "IntegerOps.extsb", "IntegerOps.extsh", "IntegerOps.cntlzw", "IntegerOps.slw", "IntegerOps.srw",
            "IntegerOps.sraw", "IntegerOps.srawi", "IntegerOps.rlwimi", "IntegerOps.rlwnm", "IntegerOps.neg",
            "IntegerOps.mulli", "IntegerOps.mulhw", "IntegerOps.mulhwu", "IntegerOps.addic", "IntegerOps.subfic",
            "IntegerOps.addc", "IntegerOps.adde", "IntegerOps.addze", "IntegerOps.addme", "IntegerOps.subfc",
            "IntegerOps.subfe", "IntegerOps.subfze", "IntegerOps.subfme", "IntegerOps.mfcr", "IntegerOps.mtcrf",
            "FlowOps.mflr", "FlowOps.mfctr", "FlowOps.mtlr", "FlowOps.mtctr", "FlowOps.noOperation");

    private boolean emitInline(Instruction insn) {
        int[] o = insn.operands();
        String owner = insn.owner().getSimpleName();
        return switch (owner + "." + insn.method()) {
            case "IntegerOps.addi" -> { loadOrZero(o[1]); PpcTranslator.pushInt(mv, o[2]); mv.visitInsn(Opcodes.IADD); store(o[0]); yield true; }
            case "IntegerOps.addis" -> { loadOrZero(o[1]); PpcTranslator.pushInt(mv, o[2] << 16); mv.visitInsn(Opcodes.IADD); store(o[0]); yield true; }
            case "IntegerOps.add" -> o[3] == 0 && recorded(binary(o[1], o[2], o[0], Opcodes.IADD), o[0], o[4]);
            case "IntegerOps.subf" -> o[3] == 0 && recorded(binary(o[2], o[1], o[0], Opcodes.ISUB), o[0], o[4]);
            case "IntegerOps.mullw" -> o[3] == 0 && recorded(binary(o[1], o[2], o[0], Opcodes.IMUL), o[0], o[4]);
            case "IntegerOps.and" -> recorded(binary(o[0], o[2], o[1], Opcodes.IAND), o[1], o[3]);
            case "IntegerOps.or" -> recorded(binary(o[0], o[2], o[1], Opcodes.IOR), o[1], o[3]);
            case "IntegerOps.xor" -> recorded(binary(o[0], o[2], o[1], Opcodes.IXOR), o[1], o[3]);
            case "IntegerOps.andc" -> recorded(complemented(o[0], o[2], o[1], Opcodes.IAND, false), o[1], o[3]);
            case "IntegerOps.orc" -> recorded(complemented(o[0], o[2], o[1], Opcodes.IOR, false), o[1], o[3]);
            case "IntegerOps.nand" -> recorded(complemented(o[0], o[2], o[1], Opcodes.IAND, true), o[1], o[3]);
            case "IntegerOps.nor" -> recorded(complemented(o[0], o[2], o[1], Opcodes.IOR, true), o[1], o[3]);
            case "IntegerOps.eqv" -> recorded(complemented(o[0], o[2], o[1], Opcodes.IXOR, true), o[1], o[3]);
            case "IntegerOps.extsb" -> recorded(unary(o[0], o[1], Opcodes.I2B), o[1], o[3]);
            case "IntegerOps.extsh" -> recorded(unary(o[0], o[1], Opcodes.I2S), o[1], o[3]);
            case "IntegerOps.neg" -> o[3] == 0 && recorded(unary(o[1], o[0], Opcodes.INEG), o[0], o[4]);
            case "IntegerOps.cntlzw" -> recorded(pure(o[1], "numberOfLeadingZeros", "java/lang/Integer", o[0]), o[1], o[3]);
            case "IntegerOps.slw" -> recorded(pure(o[1], "shiftLeftWord", INTEGER_OPS, o[0], o[2]), o[1], o[3]);
            case "IntegerOps.srw" -> recorded(pure(o[1], "shiftRightWord", INTEGER_OPS, o[0], o[2]), o[1], o[3]);
            case "IntegerOps.rlwnm" -> recorded(pure(o[1], "rotateLeftWord", INTEGER_OPS, o[0], o[2]), o[1], 0)
                    && rlwnmMask(o[1], IntegerOps.mask(o[3], o[4]), o[5]);
            case "IntegerOps.mulhw" -> recorded(pure(o[0], "multiplyHigh", INTEGER_OPS, o[1], o[2]), o[0], o[4]);
            case "IntegerOps.mulhwu" -> recorded(pure(o[0], "multiplyHighUnsigned", INTEGER_OPS, o[1], o[2]), o[0], o[4]);
            case "IntegerOps.mulli" -> immediate(o[1], o[2], o[0], Opcodes.IMUL);
            case "IntegerOps.sraw" -> recorded(withState(o[1], "shiftRightAlgebraicValue", false, o[0], o[2]), o[1], o[3]);
            case "IntegerOps.srawi" -> recorded(withState(o[1], "shiftRightAlgebraicValue", true, o[0], o[2]), o[1], o[3]);
            case "IntegerOps.addic" -> recorded(withState(o[0], "addicValue", true, o[1], o[2]), o[0], o[3]);
            case "IntegerOps.subfic" -> withState(o[0], "subficValue", true, o[1], o[2]);
            case "IntegerOps.addc" -> o[3] == 0 && recorded(carrying(o[0], o[1], false, o[2], 0), o[0], o[4]);
            case "IntegerOps.adde" -> o[3] == 0 && recorded(carrying(o[0], o[1], false, o[2], -1), o[0], o[4]);
            case "IntegerOps.addze" -> o[3] == 0 && recorded(carrying(o[0], o[1], false, -2, -1), o[0], o[4]);
            case "IntegerOps.addme" -> o[3] == 0 && recorded(carrying(o[0], o[1], false, -3, -1), o[0], o[4]);
            case "IntegerOps.subfc" -> o[3] == 0 && recorded(carrying(o[0], o[1], true, o[2], 1), o[0], o[4]);
            case "IntegerOps.subfe" -> o[3] == 0 && recorded(carrying(o[0], o[1], true, o[2], -1), o[0], o[4]);
            case "IntegerOps.subfze" -> o[3] == 0 && recorded(carrying(o[0], o[1], true, -2, -1), o[0], o[4]);
            case "IntegerOps.subfme" -> o[3] == 0 && recorded(carrying(o[0], o[1], true, -3, -1), o[0], o[4]);
            case "IntegerOps.rlwimi" -> recorded(rotateAndInsert(o[0], o[2], IntegerOps.mask(o[3], o[4]), o[1]), o[1], o[5]);
            case "IntegerOps.mfcr" -> getField("cr", o[0]);
            case "IntegerOps.mtcrf" -> moveToCr(o[0], o[1]);
            case "IntegerOps.ori" -> immediate(o[0], o[2], o[1], Opcodes.IOR);
            case "IntegerOps.oris" -> immediate(o[0], o[2] << 16, o[1], Opcodes.IOR);
            case "IntegerOps.xori" -> immediate(o[0], o[2], o[1], Opcodes.IXOR);
            case "IntegerOps.xoris" -> immediate(o[0], o[2] << 16, o[1], Opcodes.IXOR);
            case "IntegerOps.andiDot" -> andDot(o[0], o[2], o[1]);
            case "IntegerOps.andisDot" -> andDot(o[0], o[2] << 16, o[1]);
            case "IntegerOps.rlwinm" -> recorded(rotateAndMask(o[0], o[2], IntegerOps.mask(o[3], o[4]), o[1]), o[1], o[5]);
            case "IntegerOps.cmpi" -> compare(o[0], o[1], o[2], true, "compareValues");
            case "IntegerOps.cmpli" -> compare(o[0], o[1], o[2], true, "compareValuesUnsigned");
            case "IntegerOps.cmp" -> compare(o[0], o[1], o[2], false, "compareValues");
            case "IntegerOps.cmpl" -> compare(o[0], o[1], o[2], false, "compareValuesUnsigned");
            case "FlowOps.mflr" -> getField("lr", o[0]);
            case "FlowOps.mfctr" -> getField("ctr", o[0]);
            case "FlowOps.mtlr" -> putField("lr", o[0]);
            case "FlowOps.mtctr" -> putField("ctr", o[0]);
            case "FlowOps.noOperation" -> true;
            case "LoadStoreOps.lwz" -> loadMemory(insn, "read32be", 0);
            case "LoadStoreOps.lhz" -> loadMemory(insn, "read16be", 0);
            case "LoadStoreOps.lha" -> loadMemory(insn, "read16be", 16);
            case "LoadStoreOps.lbz" -> loadMemory(insn, "read8", 0);
            case "LoadStoreOps.stw" -> storeMemory(insn, "write32be");
            case "LoadStoreOps.sth" -> storeMemory(insn, "write16be");
            case "LoadStoreOps.stb" -> storeMemory(insn, "write8");
            case "LoadStoreOps.lwzx" -> loadMemory(insn, "read32be", 0);
            case "LoadStoreOps.lhzx" -> loadMemory(insn, "read16be", 0);
            case "LoadStoreOps.lhax" -> loadMemory(insn, "read16be", 16);
            case "LoadStoreOps.lbzx" -> loadMemory(insn, "read8", 0);
            case "LoadStoreOps.stwx" -> storeMemory(insn, "write32be");
            case "LoadStoreOps.sthx" -> storeMemory(insn, "write16be");
            case "LoadStoreOps.stbx" -> storeMemory(insn, "write8");
            case "LoadStoreOps.lfd", "LoadStoreOps.lfdx" -> loadFloat(insn, false);
            case "LoadStoreOps.lfs", "LoadStoreOps.lfsx" -> loadFloat(insn, true);
            case "LoadStoreOps.stfd", "LoadStoreOps.stfdx" -> storeFloat(insn, false);
            case "LoadStoreOps.stfs", "LoadStoreOps.stfsx" -> storeFloat(insn, true);
            default -> false;
        };
    }

    private boolean binary(int a, int b, int target, int opcode) {
        load(a);
        load(b);
        mv.visitInsn(opcode);
        store(target);
        return true;
    }

    /** Rc=1: CR0 from the result now in the target's local. */
    private boolean recorded(boolean emitted, int target, int rc) {
        if (emitted && rc != 0) {
            mv.visitVarInsn(Opcodes.ALOAD, 1);
            mv.visitVarInsn(Opcodes.ILOAD, FIRST_GPR + target);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, INTEGER_OPS, "setCr0", "(L" + STATE + ";I)V", false);
        }
        return emitted;
    }

    /** a OP ~b, or ~(a OP b) when {@code complementResult}. */
    private boolean complemented(int a, int b, int target, int opcode, boolean complementResult) {
        load(a);
        load(b);
        if (!complementResult) {
            mv.visitInsn(Opcodes.ICONST_M1);
            mv.visitInsn(Opcodes.IXOR);
        }
        mv.visitInsn(opcode);
        if (complementResult) {
            mv.visitInsn(Opcodes.ICONST_M1);
            mv.visitInsn(Opcodes.IXOR);
        }
        store(target);
        return true;
    }

    private boolean unary(int source, int target, int opcode) {
        load(source);
        mv.visitInsn(opcode);
        store(target);
        return true;
    }

    /** target = owner.method(registers...), a static int function of register values only. */
    private boolean pure(int target, String method, String owner, int... sources) {
        for (int r : sources) {
            load(r);
        }
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, owner, method, "(" + "I".repeat(sources.length) + ")I", false);
        store(target);
        return true;
    }

    /**
     * target = IntegerOps.method(state, RA, second): helpers that also set XER[CA]; the second
     * operand is a register or, when {@code immediate}, a constant.
     */
    private boolean withState(int target, String method, boolean immediate, int ra, int second) {
        // Loads first: a first load emits an istore, kept out of the argument list.
        load(ra);
        mv.visitInsn(Opcodes.POP);
        if (!immediate) {
            load(second);
            mv.visitInsn(Opcodes.POP);
        }
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        load(ra);
        if (immediate) {
            PpcTranslator.pushInt(mv, second);
        } else {
            load(second);
        }
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, INTEGER_OPS, method, "(L" + STATE + ";II)I", false);
        store(target);
        return true;
    }

    /**
     * The carrying adds (OE=0): RT = (~)RA + b + carry, CA = the carry out. {@code rb} is a
     * register, or -2 for 0 (the ze forms) and -3 for -1 (the me forms); {@code carryIn} is 0,
     * 1, or -1 for XER[CA].
     */
    private boolean carrying(int rt, int ra, boolean complementA, int rb, int carryIn) {
        load(ra);
        mv.visitInsn(Opcodes.POP);
        if (rb >= 0) {
            load(rb);
            mv.visitInsn(Opcodes.POP);
        }
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        load(ra);
        if (complementA) {
            mv.visitInsn(Opcodes.ICONST_M1);
            mv.visitInsn(Opcodes.IXOR);
        }
        if (rb >= 0) {
            load(rb);
        } else {
            PpcTranslator.pushInt(mv, rb == -2 ? 0 : -1);
        }
        if (carryIn >= 0) {
            PpcTranslator.pushInt(mv, carryIn);
        } else {
            mv.visitVarInsn(Opcodes.ALOAD, 1);
            mv.visitFieldInsn(Opcodes.GETFIELD, STATE, "xerCa", "I");
        }
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, INTEGER_OPS, "carryingAdd", "(L" + STATE + ";III)I", false);
        store(rt);
        return true;
    }

    /** rlwnm's mask, applied to the rotated value already in the target's local. */
    private boolean rlwnmMask(int target, int mask, int rc) {
        if (mask != -1) {
            mv.visitVarInsn(Opcodes.ILOAD, FIRST_GPR + target);
            PpcTranslator.pushInt(mv, mask);
            mv.visitInsn(Opcodes.IAND);
            store(target);
        }
        return recorded(true, target, rc);
    }

    /** rlwimi: (ROTL(RS, sh) & m) | (RA & ~m). */
    private boolean rotateAndInsert(int source, int shift, int mask, int target) {
        load(source);
        if (shift != 0) {
            PpcTranslator.pushInt(mv, shift);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Integer", "rotateLeft", "(II)I", false);
        }
        PpcTranslator.pushInt(mv, mask);
        mv.visitInsn(Opcodes.IAND);
        load(target);
        PpcTranslator.pushInt(mv, ~mask);
        mv.visitInsn(Opcodes.IAND);
        mv.visitInsn(Opcodes.IOR);
        store(target);
        return true;
    }

    /** mtcrf: the CR fields FXM selects come from RS. */
    private boolean moveToCr(int fxm, int source) {
        int m = 0;
        for (int i = 0; i < 8; i++) {
            if ((fxm & (0x80 >>> i)) != 0) {
                m |= 0xf0000000 >>> (4 * i);
            }
        }
        load(source);
        mv.visitInsn(Opcodes.POP);
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        mv.visitFieldInsn(Opcodes.GETFIELD, STATE, "cr", "I");
        PpcTranslator.pushInt(mv, ~m);
        mv.visitInsn(Opcodes.IAND);
        load(source);
        PpcTranslator.pushInt(mv, m);
        mv.visitInsn(Opcodes.IAND);
        mv.visitInsn(Opcodes.IOR);
        mv.visitFieldInsn(Opcodes.PUTFIELD, STATE, "cr", "I");
        return true;
    }

    private boolean immediate(int source, int value, int target, int opcode) {
        load(source);
        PpcTranslator.pushInt(mv, value);
        mv.visitInsn(opcode);
        store(target);
        return true;
    }

    private boolean andDot(int source, int value, int target) {
        immediate(source, value, target, Opcodes.IAND);
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        mv.visitVarInsn(Opcodes.ILOAD, FIRST_GPR + target);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, INTEGER_OPS, "setCr0", "(L" + STATE + ";I)V", false);
        return true;
    }

    private boolean rotateAndMask(int source, int shift, int mask, int target) {
        load(source);
        if (shift != 0) {
            PpcTranslator.pushInt(mv, shift);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Integer", "rotateLeft", "(II)I", false);
        }
        if (mask != -1) {
            PpcTranslator.pushInt(mv, mask);
            mv.visitInsn(Opcodes.IAND);
        }
        store(target);
        return true;
    }

    private boolean compare(int bf, int ra, int other, boolean immediate, String helper) {
        // Load first: loading a register emits an istore, which must not land between the call's arguments.
        load(ra);
        mv.visitInsn(Opcodes.POP);
        if (!immediate) {
            load(other);
            mv.visitInsn(Opcodes.POP);
        }
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        PpcTranslator.pushInt(mv, bf);
        load(ra);
        if (immediate) {
            PpcTranslator.pushInt(mv, other);
        } else {
            load(other);
        }
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, INTEGER_OPS, helper, "(L" + STATE + ";III)V", false);
        return true;
    }

    private boolean getField(String field, int target) {
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        mv.visitFieldInsn(Opcodes.GETFIELD, STATE, field, "I");
        store(target);
        return true;
    }

    private boolean putField(String field, int source) {
        load(source);
        mv.visitInsn(Opcodes.POP);
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        load(source);
        mv.visitFieldInsn(Opcodes.PUTFIELD, STATE, field, "I");
        return true;
    }

    /**
     * The effective address as an unsigned long on the stack: (RA|0)+d, or (RA|0)+RB for the
     * indexed forms; update forms also keep it in EA.
     */
    private void effectiveAddress(Instruction insn, boolean keep) {
        int[] o = insn.operands();
        loadOrZero(o[1]);
        if (insn.method().endsWith("x")) {
            load(o[2]);
        } else {
            PpcTranslator.pushInt(mv, o[2]);
        }
        mv.visitInsn(Opcodes.IADD);
        if (keep) {
            mv.visitInsn(Opcodes.DUP);
            mv.visitVarInsn(Opcodes.ISTORE, EA);
        }
        mv.visitInsn(Opcodes.I2L);
        mv.visitLdcInsn(0xffffffffL);
        mv.visitInsn(Opcodes.LAND);
    }

    /**
     * The fault handlers, one per set of registers dirty at a faulting site (a bit mask): a site
     * stores its guest pc in {@link #FAULT_PC} first (a constant into a local, free in compiled
     * code), so sites with the same dirty set share one handler. One handler per site made the
     * handlers most of a memory-heavy block's bytecode, which C1 and C2 then compiled.
     */
    private final java.util.Map<Integer, Label> faultHandlers = new java.util.LinkedHashMap<>();
    private static final int FAULT_PC = 37;

    /** Emits a GuestMemory call covered by a handler that makes the state exact before the fault propagates. */
    private void guarded(int pc, String accessor, String descriptor) {
        int mask = 0;
        for (int r = 0; r < 32; r++) {
            if (dirty[r]) {
                mask |= 1 << r;
            }
        }
        Label handler = faultHandlers.computeIfAbsent(mask, m -> new Label());
        PpcTranslator.pushInt(mv, pc);
        mv.visitVarInsn(Opcodes.ISTORE, FAULT_PC);
        Label start = new Label();
        Label end = new Label();
        mv.visitTryCatchBlock(start, end, handler, null);
        mv.visitLabel(start);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, MEMORY, accessor, descriptor, false);
        mv.visitLabel(end);
    }

    /** The handlers of the method's faulting sites, out of line at its end: write back, set pc, rethrow. */
    void emitFaultHandlers() {
        for (var entry : faultHandlers.entrySet()) {
            mv.visitLabel(entry.getValue());
            int mask = entry.getKey();
            writeBackMasked(mask);
            mv.visitVarInsn(Opcodes.ALOAD, 1);
            mv.visitVarInsn(Opcodes.ILOAD, FAULT_PC);
            mv.visitFieldInsn(Opcodes.PUTFIELD, STATE, "pc", "I");
            mv.visitInsn(Opcodes.ATHROW);
        }
        faultHandlers.clear();
    }

    private boolean loadMemory(Instruction insn, String accessor, int signExtendFrom16) {
        int[] o = insn.operands();
        boolean update = o[3] != 0;
        if (update && (o[1] == 0 || o[1] == o[0])) {
            return false; // invalid forms: leave them to the helper
        }
        preloadAddressRegisters(insn);
        effectiveAddress(insn, update);
        mv.visitVarInsn(Opcodes.LSTORE, ADDRESS);
        inlineRead(insn.address(), accessor);
        if (signExtendFrom16 != 0) {
            mv.visitInsn(Opcodes.I2S);
        }
        store(o[0]);
        if (update) {
            mv.visitVarInsn(Opcodes.ILOAD, EA);
            store(o[1]);
        }
        return true;
    }

    private static final String FLOAT_OPS = Type.getInternalName(org.qemu.ppc.cpu.FloatOps.class);

    /** lfd/lfs (and x, u forms): the FPR gets the loaded bits, a single widened to double. */
    private boolean loadFloat(Instruction insn, boolean single) {
        int[] o = insn.operands();
        boolean update = o[3] != 0;
        if (update && o[1] == 0) {
            return false;
        }
        preloadAddressRegisters(insn);
        effectiveAddress(insn, update);
        mv.visitVarInsn(Opcodes.LSTORE, ADDRESS);
        if (single) {
            inlineRead(insn.address(), "read32be");
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, FLOAT_OPS, "singleToDoubleBits", "(I)J", false);
        } else {
            inlineRead(insn.address(), "read64be");
        }
        mv.visitVarInsn(Opcodes.LSTORE, LONG_VALUE);
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        mv.visitFieldInsn(Opcodes.GETFIELD, STATE, "fpr", "[J");
        PpcTranslator.pushInt(mv, o[0]);
        mv.visitVarInsn(Opcodes.LLOAD, LONG_VALUE);
        mv.visitInsn(Opcodes.LASTORE);
        if (update) {
            mv.visitVarInsn(Opcodes.ILOAD, EA);
            store(o[1]);
        }
        return true;
    }

    /** stfd/stfs (and x, u forms): a single is narrowed from the FPR's double bits. */
    private boolean storeFloat(Instruction insn, boolean single) {
        int[] o = insn.operands();
        boolean update = o[3] != 0;
        if (update && o[1] == 0) {
            return false;
        }
        preloadAddressRegisters(insn);
        effectiveAddress(insn, update);
        mv.visitVarInsn(Opcodes.LSTORE, ADDRESS);
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        mv.visitFieldInsn(Opcodes.GETFIELD, STATE, "fpr", "[J");
        PpcTranslator.pushInt(mv, o[0]);
        mv.visitInsn(Opcodes.LALOAD);
        if (single) {
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, FLOAT_OPS, "doubleToSingleBits", "(J)I", false);
            mv.visitVarInsn(Opcodes.ISTORE, INT_VALUE);
            inlineWrite(insn.address(), "write32be");
        } else {
            mv.visitVarInsn(Opcodes.LSTORE, LONG_VALUE);
            inlineWrite(insn.address(), "write64be");
        }
        if (update) {
            mv.visitVarInsn(Opcodes.ILOAD, EA);
            store(o[1]);
        }
        return true;
    }

    /** The address registers into locals before any operand is pushed. */
    private void preloadAddressRegisters(Instruction insn) {
        int[] o = insn.operands();
        loadOrZero(o[1]);
        mv.visitInsn(Opcodes.POP);
        if (insn.method().endsWith("x")) {
            load(o[2]);
            mv.visitInsn(Opcodes.POP);
        }
    }

    private boolean storeMemory(Instruction insn, String accessor) {
        int[] o = insn.operands();
        boolean update = o[3] != 0;
        if (update && o[1] == 0) {
            return false;
        }
        load(o[0]);
        mv.visitVarInsn(Opcodes.ISTORE, INT_VALUE);
        preloadAddressRegisters(insn);
        effectiveAddress(insn, update);
        mv.visitVarInsn(Opcodes.LSTORE, ADDRESS);
        inlineWrite(insn.address(), accessor);
        if (update) {
            mv.visitVarInsn(Opcodes.ILOAD, EA);
            store(o[1]);
        }
        return true;
    }
}
