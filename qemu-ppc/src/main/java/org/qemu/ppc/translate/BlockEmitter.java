package org.qemu.ppc.translate;

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
 * <p>Locals: 0 this, 1 state, 2 scratch int, 3..34 r0..r31, 35 the gpr array, 36 scratch int.
 */
final class BlockEmitter {
    private static final String STATE = Type.getInternalName(PpcCpuState.class);
    private static final String MEMORY = Type.getInternalName(GuestMemory.class);
    private static final String INTEGER_OPS = Type.getInternalName(IntegerOps.class);
    private static final int FIRST_GPR = 3;
    private static final int GPR_ARRAY = 35;
    private static final int EA = 36;

    private final MethodVisitor mv;
    private final boolean[] loaded = new boolean[32];
    private final boolean[] dirty = new boolean[32];

    BlockEmitter(MethodVisitor mv) {
        this.mv = mv;
    }

    /** At method entry: the gpr array into its local. */
    void prologue() {
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        mv.visitFieldInsn(Opcodes.GETFIELD, STATE, "gpr", "[I");
        mv.visitVarInsn(Opcodes.ASTORE, GPR_ARRAY);
    }

    /** Where control can arrive from elsewhere (a case label, a loop top): nothing is in locals yet. */
    void forget() {
        for (int r = 0; r < 32; r++) {
            loaded[r] = false;
            dirty[r] = false;
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
        mv.visitVarInsn(Opcodes.ISTORE, FIRST_GPR + r);
        loaded[r] = true;
        dirty[r] = true;
    }

    /**
     * Emits one instruction. For a block-ending instruction the helper's next pc is left on
     * the stack, with every register written back.
     */
    void emit(Instruction insn) {
        if (!emitInline(insn)) {
            flush();
            PpcTranslator.emitCall(mv, insn);
            forget();
        }
    }

    /** Instructions {@link #emit} writes as bytecode of their own rather than a helper call. */
    static boolean isInline(Instruction insn) {
        return INLINE.contains(insn.owner().getSimpleName() + "." + insn.method());
    }

    private static final java.util.Set<String> INLINE = java.util.Set.of("IntegerOps.addi", "IntegerOps.addis",
            "IntegerOps.add", "IntegerOps.subf", "IntegerOps.mullw", "IntegerOps.and", "IntegerOps.or", "IntegerOps.xor",
            "IntegerOps.ori", "IntegerOps.oris", "IntegerOps.xori", "IntegerOps.xoris", "IntegerOps.rlwinm",
            "FlowOps.mflr", "FlowOps.mfctr", "FlowOps.mtlr", "FlowOps.mtctr", "FlowOps.noOperation");

    private boolean emitInline(Instruction insn) {
        int[] o = insn.operands();
        String owner = insn.owner().getSimpleName();
        return switch (owner + "." + insn.method()) {
            case "IntegerOps.addi" -> { loadOrZero(o[1]); PpcTranslator.pushInt(mv, o[2]); mv.visitInsn(Opcodes.IADD); store(o[0]); yield true; }
            case "IntegerOps.addis" -> { loadOrZero(o[1]); PpcTranslator.pushInt(mv, o[2] << 16); mv.visitInsn(Opcodes.IADD); store(o[0]); yield true; }
            case "IntegerOps.add" -> o[3] == 0 && o[4] == 0 && binary(o[1], o[2], o[0], Opcodes.IADD);
            case "IntegerOps.subf" -> o[3] == 0 && o[4] == 0 && binary(o[2], o[1], o[0], Opcodes.ISUB);
            case "IntegerOps.mullw" -> o[3] == 0 && o[4] == 0 && binary(o[1], o[2], o[0], Opcodes.IMUL);
            case "IntegerOps.and" -> o[3] == 0 && binary(o[0], o[2], o[1], Opcodes.IAND);
            case "IntegerOps.or" -> o[3] == 0 && binary(o[0], o[2], o[1], Opcodes.IOR);
            case "IntegerOps.xor" -> o[3] == 0 && binary(o[0], o[2], o[1], Opcodes.IXOR);
            case "IntegerOps.ori" -> immediate(o[0], o[2], o[1], Opcodes.IOR);
            case "IntegerOps.oris" -> immediate(o[0], o[2] << 16, o[1], Opcodes.IOR);
            case "IntegerOps.xori" -> immediate(o[0], o[2], o[1], Opcodes.IXOR);
            case "IntegerOps.xoris" -> immediate(o[0], o[2] << 16, o[1], Opcodes.IXOR);
            case "IntegerOps.andiDot" -> andDot(o[0], o[2], o[1]);
            case "IntegerOps.andisDot" -> andDot(o[0], o[2] << 16, o[1]);
            case "IntegerOps.rlwinm" -> o[5] == 0 && rotateAndMask(o[0], o[2], IntegerOps.mask(o[3], o[4]), o[1]);
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
     * Before a guest memory access: the memory object on the stack. Registers stay in locals
     * and pc is not stored: if the access faults, its own exception handler (see
     * {@link #guarded}) writes back what is dirty at that point and sets pc, so the fault is
     * still precise while the common path pays nothing for it.
     */
    private void beforeAccess(int ra) {
        loadOrZero(ra);
        mv.visitInsn(Opcodes.POP);
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        mv.visitFieldInsn(Opcodes.GETFIELD, STATE, "memory", "L" + MEMORY + ";");
    }

    /** One faulting site: the range of the access and what its handler must write back. */
    private record FaultSite(Label start, Label end, Label handler, int pc, boolean[] dirty) {
    }

    private final java.util.List<FaultSite> faultSites = new java.util.ArrayList<>();

    /** Emits a GuestMemory call covered by a handler that makes the state exact before the fault propagates. */
    private void guarded(int pc, String accessor, String descriptor) {
        Label start = new Label();
        Label end = new Label();
        Label handler = new Label();
        mv.visitTryCatchBlock(start, end, handler, null);
        mv.visitLabel(start);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, MEMORY, accessor, descriptor, false);
        mv.visitLabel(end);
        faultSites.add(new FaultSite(start, end, handler, pc, dirty.clone()));
    }

    /** The handlers of the method's faulting sites, out of line at its end: write back, set pc, rethrow. */
    void emitFaultHandlers() {
        for (FaultSite site : faultSites) {
            mv.visitLabel(site.handler());
            for (int r = 0; r < 32; r++) {
                if (site.dirty()[r]) {
                    mv.visitVarInsn(Opcodes.ALOAD, GPR_ARRAY);
                    PpcTranslator.pushInt(mv, r);
                    mv.visitVarInsn(Opcodes.ILOAD, FIRST_GPR + r);
                    mv.visitInsn(Opcodes.IASTORE);
                }
            }
            mv.visitVarInsn(Opcodes.ALOAD, 1);
            PpcTranslator.pushInt(mv, site.pc());
            mv.visitFieldInsn(Opcodes.PUTFIELD, STATE, "pc", "I");
            mv.visitInsn(Opcodes.ATHROW);
        }
        faultSites.clear();
    }

    private boolean loadMemory(Instruction insn, String accessor, int signExtendFrom16) {
        int[] o = insn.operands();
        boolean update = o[3] != 0;
        if (update && (o[1] == 0 || o[1] == o[0])) {
            return false; // invalid forms: leave them to the helper
        }
        beforeAccess(o[1]);
        effectiveAddress(insn, update);
        guarded(insn.address(), accessor, "(J)I");
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

    private boolean storeMemory(Instruction insn, String accessor) {
        int[] o = insn.operands();
        boolean update = o[3] != 0;
        if (update && o[1] == 0) {
            return false;
        }
        load(o[0]);
        mv.visitInsn(Opcodes.POP);
        beforeAccess(o[1]);
        effectiveAddress(insn, update);
        load(o[0]);
        guarded(insn.address(), accessor, "(JI)V");
        if (update) {
            mv.visitVarInsn(Opcodes.ILOAD, EA);
            store(o[1]);
        }
        return true;
    }
}
