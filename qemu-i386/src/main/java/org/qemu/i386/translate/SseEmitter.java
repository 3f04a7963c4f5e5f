package org.qemu.i386.translate;

import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

import org.qemu.common.memory.GuestMemory;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;

import static org.qemu.i386.translate.XmmForm.*;

/**
 * Emits the hot SSE/SSE2 instructions of compiled code as bytecode over XMM registers held in
 * long locals (two per register: the low and the high quadword), instead of calling their ops,
 * which read and write {@link X86CpuState#xmm} through the array on every instruction.
 *
 * <p>The registers a method's inline forms name are loaded at its entry ({@link #prepare} before
 * the prologue, {@link #load} in it); the halves written are stored back to the state object
 * where anything outside the method can look (exits, calls to ops, the fault handler), and
 * reloaded after a call (the op may have changed them). A register no inline form names stays
 * in the state object: its instructions keep calling their ops.
 *
 * <p>Arithmetic, square root, conversions and comparisons go through {@code fp.SseInline}'s
 * static methods: the default-MXCSR fast path with the exact general path behind it, which
 * HotSpot inlines, so the value never leaves a machine register on the fast path. Moves, logic,
 * 64-bit lane shifts and adds are plain long arithmetic.
 *
 * <p>The emitter of the general registers (32-bit code: {@link X86Emitter}) is its {@link Host}:
 * memory addresses, the CPU, integer operands and the flag record are its business.
 */
final class SseEmitter {
    /** What the general-register emitter provides. */
    interface Host {
        // Both block emitters (X86Emitter, LongModeEmitter) open their methods with the same
        // locals: the CPU, its state and the guest memory sit in X86Emitter's slots in either.

        /** Pushes the {@link X86Cpu}. */
        default void loadCpu(MethodVisitor mv) {
            mv.visitVarInsn(Opcodes.ALOAD, X86Emitter.CPU_LOCAL);
        }

        /** Pushes the {@link X86CpuState}. */
        default void loadState(MethodVisitor mv) {
            mv.visitVarInsn(Opcodes.ALOAD, X86Emitter.STATE_LOCAL);
        }

        /** Pushes the {@link GuestMemory}. */
        default void loadMemory(MethodVisitor mv) {
            mv.visitVarInsn(Opcodes.ALOAD, X86Emitter.MEM);
        }

        /** Pushes the long linear address of {@code m}. */
        void pushAddress(MethodVisitor mv, Operand.Memory m);

        /** Pushes the int value of a 32-bit register or memory operand. */
        void readInteger(MethodVisitor mv, Operand o);

        /** Writes the int on the stack to a 32-bit register or memory operand. */
        void writeInteger(MethodVisitor mv, Operand o);

        /** Takes ZF/PF/CF bits (an int on the stack) as the flag record. */
        void comparisonFlags(MethodVisitor mv);

        /** A guest memory access was emitted (bookkeeping: stores, the inlining budget). */
        void memoryAccessed(boolean write);

        /**
         * Pushes the {@code bits} (32 or 64) at {@code m}: an int for 32, a long for 64. By default
         * GuestMemory's checked accessor; a host with cheaper accesses (long mode's page caches)
         * gives them to scalar SSE loads too.
         */
        default void readMemory(MethodVisitor mv, Operand.Memory m, int bits) {
            loadMemory(mv);
            pushAddress(mv, m);
            if (bits == 64) {
                mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, MEMORY, "read64", "(J)J", false);
            } else {
                mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, MEMORY, "read32", "(J)I", false);
            }
            memoryAccessed(false);
        }

        /** Stores the low {@code bits} (32 or 64) of the long {@code pushValue} pushes at {@code m}, as {@link #readMemory} reads. */
        default void writeMemory(MethodVisitor mv, Operand.Memory m, int bits, Runnable pushValue) {
            loadMemory(mv);
            pushAddress(mv, m);
            pushValue.run();
            if (bits == 64) {
                mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, MEMORY, "write64", "(JJ)V", false);
            } else {
                mv.visitInsn(Opcodes.L2I);
                mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, MEMORY, "write32", "(JI)V", false);
            }
            memoryAccessed(true);
        }

        /** Pushes the long value of a 64-bit register or memory operand (long mode only). */
        default void readQuadword(MethodVisitor mv, Operand o) {
            throw new UnsupportedOperationException("64-bit integer operands are long mode's");
        }

        /** Writes the long on the stack to a 64-bit register or memory operand (long mode only). */
        default void writeQuadword(MethodVisitor mv, Operand o) {
            throw new UnsupportedOperationException("64-bit integer operands are long mode's");
        }
    }

    private static final String CPU = Type.getInternalName(X86Cpu.class);
    private static final String STATE = Type.getInternalName(X86CpuState.class);
    private static final String MEMORY = Type.getInternalName(GuestMemory.class);
    private static final String INLINE = "org/qemu/i386/fp/SseInline";

    private final Host host;
    /** The local of XMM0's low quadword; register r's halves are at base + 4r and base + 4r + 2. */
    private final int base;
    private final int registers;
    /** 64-bit code: long-mode memory operands and 64-bit integer operands (movq r/m64, cvt*2si r64) are taken. */
    private final boolean longMode;
    /** Three long scratch locals after the registers: an address and two quadwords. */
    private final int address, first, second;

    /** Registers (a bit each) whose halves live in locals in this method. */
    private int prepared;
    /** Halves (bit 2r: low, 2r+1: high) whose local differs from the state object. */
    private int dirty;
    /** Halves written anywhere in the method so far (the fault handler stores them). */
    private int everDirty;

    SseEmitter(Host host, int base, int registers) {
        this(host, base, registers, false);
    }

    SseEmitter(Host host, int base, int registers, boolean longMode) {
        this.host = host;
        this.base = base;
        this.registers = registers;
        this.longMode = longMode;
        this.address = base + 4 * registers;
        this.first = address + 2;
        this.second = address + 4;
    }

    /** The first local after this emitter's. */
    int localsEnd() {
        return address + 6;
    }

    /** The local holding XMM register {@code r}'s low quadword ({@code high}: its high quadword). */
    int local(int r, boolean high) {
        return base + 4 * r + (high ? 2 : 0);
    }

    /**
     * Register reloads (registers held times op calls) a method may carry: every op call reloads
     * all held registers, and a block of packed-integer string code calling many ops around one
     * inline {@code pxor} would grow towards HotSpot's 8,000-byte limit for little gain.
     */
    private static final int MAX_RELOADS = 24;

    /**
     * Chooses the registers to hold in locals: those the method's inline forms name, unless the
     * method calls so many ops that reloading them after each call costs more than it saves
     * (then nothing is held and every SSE instruction is called). Call before {@link #load}.
     */
    void prepare(X86Op[] ops) {
        prepare(ops, X86Emitter::emitsInline);
    }

    /** {@link #prepare(X86Op[])} with the general-register emitter's own test of which other ops it emits inline. */
    void prepare(X86Op[] ops, java.util.function.Predicate<X86Op> emitsInline) {
        int mask = 0;
        int inlineForms = 0;
        for (X86Op op : ops) {
            XmmForm f = op instanceof InlineXmmOp x ? x.xmmForm() : null;
            if (f != null && supported(f)) {
                mask |= registersOf(f);
                inlineForms++;
            }
        }
        int calls = 0;
        for (int i = 0; i < ops.length && mask != 0; i++) {
            X86Op op = ops[i];
            XmmForm f = op instanceof InlineXmmOp x ? x.xmmForm() : null;
            if (f == null || !supported(f)) {
                boolean ownAccess = longMode && f != null && wideMemoryAccess(f) && (registersOf(f) & mask) == 0;
                if (op instanceof InlineXmmOp && !ownAccess || !(op instanceof InlineXmmOp) && !emitsInline.test(op)) {
                    calls++;
                }
            }
        }
        prepared = Integer.bitCount(mask) * calls > MAX_RELOADS ? 0 : mask;
        if (longMode && calls > inlineForms) {
            // glibc's SSE2 string functions: a pxor among packed-integer calls (pcmpeqb, pmovmskb,
            // m128 loads) would save one call and add a flush and reload around each of the others
            prepared = 0;
        }
    }

    private int registersOf(XmmForm f) {
        return switch (f.kind()) {
            case STORE_LOW, STORE_SINGLE, STORE, DWORD_OUT -> 1 << f.sourceRegister();
            case DOUBLE_TO_INT, FLOAT_TO_INT -> f.sourceMemory() == null ? 1 << f.sourceRegister() : 0;
            case INT_TO_DOUBLE, DWORD_IN, SHIFT_LEFT_QWORDS, SHIFT_RIGHT_QWORDS -> 1 << f.destination();
            default -> (1 << f.destination()) | (f.sourceMemory() == null ? 1 << f.sourceRegister() : 0);
        };
    }

    private boolean supported(XmmForm f) {
        if (f.destination() >= registers || f.sourceRegister() >= registers) {
            return false;
        }
        Operand.Memory m = f.sourceMemory();
        if (m != null && (m.address16 || m.longMode != longMode)) {
            return false;
        }
        if (longMode && m != null && !LONG_MODE_M128 && wide128(f.kind())) {
            return false;
        }
        if (f.integer() instanceof Operand.Memory im && (im.address16 || im.longMode != longMode)) {
            return false;
        }
        return f.integer() == null || f.integer().bits == 32 || (longMode && f.integer().bits == 64 && wideForm(f.kind()));
    }

    static final boolean LONG_MODE_M128 = Boolean.getBoolean("qemu.tcg.long-mode-sse-m128");

    /**
     * A 16-byte load into an XMM register (movdqa/movdqu/movaps/movups xmm, m128) or store from one
     * through a long-mode address: {@link LongModeEmitter} emits those itself when this emitter
     * does not hold the register (one call to GuestMemory's 128-bit accessor, no reloads), so
     * they are no calls for {@link #prepare}.
     */
    static boolean wideMemoryAccess(XmmForm f) {
        Operand.Memory m = f.sourceMemory();
        return m != null && !m.address16 && m.longMode && (f.kind() == MOVE || f.kind() == STORE);
    }

    /** True when XMM register {@code r} lives in this method's locals. */
    boolean holds(int r) {
        return (prepared & (1 << r)) != 0;
    }

    /** Forms whose memory operand is 128 bits wide. */
    private static boolean wide128(int kind) {
        return switch (kind) {
            case MOVE, STORE, AND, AND_NOT, OR, XOR, ADD_QWORDS, SUB_QWORDS -> true;
            default -> false;
        };
    }

    /**
     * The forms whose integer operand may be 64 bits wide (REX.W): movq xmm, r/m64, movq r/m64, xmm,
     * cvtsi2sd xmm, r/m64 and cvt(t)sd2si/cvt(t)ss2si r64.
     */
    private static boolean wideForm(int kind) {
        return kind == DWORD_IN || kind == DWORD_OUT || kind == INT_TO_DOUBLE || kind == DOUBLE_TO_INT || kind == FLOAT_TO_INT;
    }

    /** (u)comisd/(u)comiss set all six flags (OF, SF and AF cleared); every other form leaves them. */
    static boolean writesFlags(XmmForm f) {
        return f.kind() == COMPARE_DOUBLE || f.kind() == COMPARE_FLOAT;
    }

    /**
     * True when the form may fault: a memory operand, or floating-point work that can raise an
     * unmasked #XM; register moves, logic, lane shifts and adds and integer transfers cannot.
     */
    static boolean mayFault(XmmForm f) {
        if (f.sourceMemory() != null || f.integer() instanceof Operand.Memory) {
            return true;
        }
        if (f.kind() == INT_TO_DOUBLE && f.integer().bits == 64) {
            return true; // rounding a 64-bit integer may raise an unmasked precision exception
        }
        return switch (f.kind()) {
            case MOVE, LOAD_LOW_ZERO, MOVE_LOW, LOAD_SINGLE, AND, AND_NOT, OR, XOR, ADD_QWORDS, SUB_QWORDS,
                    SHIFT_LEFT_QWORDS, SHIFT_RIGHT_QWORDS, DWORD_IN, DWORD_OUT, INT_TO_DOUBLE -> false;
            default -> true;
        };
    }

    /** Loads the prepared registers into their locals (the prologue, and after a call). */
    void load(MethodVisitor mv) {
        for (int r = 0; r < registers; r++) {
            if ((prepared & (1 << r)) != 0) {
                for (int h = 0; h < 2; h++) {
                    host.loadState(mv);
                    mv.visitFieldInsn(Opcodes.GETFIELD, STATE, "xmm", "[J");
                    X86Emitter.push(mv, 2 * r + h);
                    mv.visitInsn(Opcodes.LALOAD);
                    mv.visitVarInsn(Opcodes.LSTORE, local(r, h == 1));
                }
            }
        }
        dirty = 0;
    }

    /** Stores the halves that differ from the state object. */
    void flush(MethodVisitor mv) {
        store(mv, dirty);
        dirty = 0;
    }

    /** The fault handler: every half the method may have changed. */
    void flushForFault(MethodVisitor mv) {
        everDirty |= dirty;
        store(mv, everDirty);
    }

    /** A point several paths reach (a loop head): any prepared half may differ from the state object. */
    void forgetState() {
        for (int r = 0; r < registers; r++) {
            if ((prepared & (1 << r)) != 0) {
                dirty |= 3 << (2 * r);
            }
        }
        everDirty |= dirty;
    }

    boolean holdsAny() {
        return prepared != 0;
    }

    private void store(MethodVisitor mv, int halves) {
        for (int half = 0; half < 2 * registers; half++) {
            if ((halves & (1 << half)) != 0) {
                host.loadState(mv);
                mv.visitFieldInsn(Opcodes.GETFIELD, STATE, "xmm", "[J");
                X86Emitter.push(mv, half);
                mv.visitVarInsn(Opcodes.LLOAD, base + 2 * half);
                mv.visitInsn(Opcodes.LASTORE);
            }
        }
    }

    private void written(int r, boolean low, boolean high) {
        if (low) {
            dirty |= 1 << (2 * r);
        }
        if (high) {
            dirty |= 2 << (2 * r);
        }
        everDirty |= dirty;
    }

    /** Emits {@code op} inline when its form and registers allow; false: the caller calls the op. */
    boolean emit(MethodVisitor mv, InlineXmmOp op) {
        XmmForm f = op.xmmForm();
        if (f == null || !supported(f) || (registersOf(f) & ~prepared) != 0) {
            return false;
        }
        int d = f.destination();
        int s = f.sourceRegister();
        Operand.Memory m = f.sourceMemory();
        switch (f.kind()) {
            case MOVE -> {
                if (m == null) {
                    copy(mv, local(s, false), local(d, false));
                    copy(mv, local(s, true), local(d, true));
                } else {
                    load128(mv, m, f.immediate() == 1);
                    mv.visitVarInsn(Opcodes.LLOAD, first);
                    mv.visitVarInsn(Opcodes.LSTORE, local(d, false));
                    mv.visitVarInsn(Opcodes.LLOAD, second);
                    mv.visitVarInsn(Opcodes.LSTORE, local(d, true));
                }
                written(d, true, true);
            }
            case LOAD_LOW_ZERO -> {
                source64(mv, s, m);
                mv.visitVarInsn(Opcodes.LSTORE, local(d, false));
                mv.visitInsn(Opcodes.LCONST_0);
                mv.visitVarInsn(Opcodes.LSTORE, local(d, true));
                written(d, true, true);
            }
            case MOVE_LOW -> {
                copy(mv, local(s, false), local(d, false));
                written(d, true, false);
            }
            case LOAD_SINGLE -> {
                if (m == null) {
                    mergeLowDword(mv, d, () -> mv.visitVarInsn(Opcodes.LLOAD, local(s, false)));
                    written(d, true, false);
                } else {
                    source32(mv, s, m);
                    mv.visitInsn(Opcodes.I2L);
                    mv.visitLdcInsn(0xffffffffL);
                    mv.visitInsn(Opcodes.LAND);
                    mv.visitVarInsn(Opcodes.LSTORE, local(d, false));
                    mv.visitInsn(Opcodes.LCONST_0);
                    mv.visitVarInsn(Opcodes.LSTORE, local(d, true));
                    written(d, true, true);
                }
            }
            case STORE_LOW, STORE_SINGLE -> {
                host.writeMemory(mv, m, f.kind() == STORE_LOW ? 64 : 32, () -> mv.visitVarInsn(Opcodes.LLOAD, local(s, false)));
            }
            case STORE -> {
                host.pushAddress(mv, m);
                mv.visitVarInsn(Opcodes.LSTORE, address);
                if (f.immediate() == 1) {
                    mv.visitVarInsn(Opcodes.LLOAD, address);
                    mv.visitMethodInsn(Opcodes.INVOKESTATIC, INLINE, "requireAligned", "(J)V", false);
                }
                // both halves or neither: the range check faults before the first byte is written
                host.loadMemory(mv);
                mv.visitVarInsn(Opcodes.LLOAD, address);
                mv.visitLdcInsn(16L);
                mv.visitInsn(Opcodes.ICONST_1);
                mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, MEMORY, "checkRange", "(JJZ)V", false);
                for (int h = 0; h < 2; h++) {
                    host.loadMemory(mv);
                    mv.visitVarInsn(Opcodes.LLOAD, address);
                    if (h == 1) {
                        mv.visitLdcInsn(8L);
                        mv.visitInsn(Opcodes.LADD);
                    }
                    mv.visitVarInsn(Opcodes.LLOAD, local(s, h == 1));
                    mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, MEMORY, "write64", "(JJ)V", false);
                    host.memoryAccessed(true);
                }
            }
            case ADD_DOUBLE, SUB_DOUBLE, MUL_DOUBLE, DIV_DOUBLE -> {
                // the source first: a faulting memory operand leaves everything as it was
                source64(mv, s, m);
                mv.visitVarInsn(Opcodes.LSTORE, first);
                host.loadCpu(mv);
                mv.visitVarInsn(Opcodes.LLOAD, local(d, false));
                mv.visitVarInsn(Opcodes.LLOAD, first);
                String name = switch (f.kind()) {
                    case ADD_DOUBLE -> "addDouble";
                    case SUB_DOUBLE -> "subtractDouble";
                    case MUL_DOUBLE -> "multiplyDouble";
                    default -> "divideDouble";
                };
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, INLINE, name, "(L" + CPU + ";JJ)J", false);
                mv.visitVarInsn(Opcodes.LSTORE, local(d, false));
                written(d, true, false);
            }
            case ADD_FLOAT, SUB_FLOAT, MUL_FLOAT, DIV_FLOAT -> {
                source32(mv, s, m);
                mv.visitInsn(Opcodes.I2L);
                mv.visitVarInsn(Opcodes.LSTORE, first);
                host.loadCpu(mv);
                mv.visitVarInsn(Opcodes.LLOAD, local(d, false));
                mv.visitVarInsn(Opcodes.LLOAD, first);
                mv.visitInsn(Opcodes.L2I);
                String name = switch (f.kind()) {
                    case ADD_FLOAT -> "addFloat";
                    case SUB_FLOAT -> "subtractFloat";
                    case MUL_FLOAT -> "multiplyFloat";
                    default -> "divideFloat";
                };
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, INLINE, name, "(L" + CPU + ";JI)J", false);
                mv.visitVarInsn(Opcodes.LSTORE, local(d, false));
                written(d, true, false);
            }
            case SQRT_DOUBLE -> {
                source64(mv, s, m);
                mv.visitVarInsn(Opcodes.LSTORE, first);
                host.loadCpu(mv);
                mv.visitVarInsn(Opcodes.LLOAD, first);
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, INLINE, "sqrtDouble", "(L" + CPU + ";J)J", false);
                mv.visitVarInsn(Opcodes.LSTORE, local(d, false));
                written(d, true, false);
            }
            case INT_TO_DOUBLE -> {
                if (f.integer().bits == 64) {
                    // the operand first: a faulting memory operand leaves everything as it was
                    host.readQuadword(mv, f.integer());
                    mv.visitVarInsn(Opcodes.LSTORE, first);
                    host.loadCpu(mv);
                    mv.visitVarInsn(Opcodes.LLOAD, first);
                    mv.visitMethodInsn(Opcodes.INVOKESTATIC, INLINE, "int64ToDouble", "(L" + CPU + ";J)J", false);
                    mv.visitVarInsn(Opcodes.LSTORE, local(d, false));
                    written(d, true, false);
                    return true;
                }
                host.readInteger(mv, f.integer());
                mv.visitInsn(Opcodes.I2D); // exact: every int32 is a binary64
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Double", "doubleToRawLongBits", "(D)J", false);
                mv.visitVarInsn(Opcodes.LSTORE, local(d, false));
                written(d, true, false);
            }
            case DOUBLE_TO_INT, FLOAT_TO_INT -> {
                boolean isDouble = f.kind() == DOUBLE_TO_INT;
                sourceInFirst(mv, s, m, isDouble);
                host.loadCpu(mv);
                mv.visitVarInsn(Opcodes.LLOAD, first);
                if (!isDouble) {
                    mv.visitInsn(Opcodes.L2I);
                }
                X86Emitter.push(mv, f.immediate());
                if (f.integer() != null) { // a 64-bit destination
                    mv.visitMethodInsn(Opcodes.INVOKESTATIC, INLINE, isDouble ? "doubleToInt64" : "floatToInt64",
                            "(L" + CPU + ";" + (isDouble ? "J" : "I") + "Z)J", false);
                    host.writeQuadword(mv, f.integer());
                    return true;
                }
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, INLINE, isDouble ? "doubleToInt32" : "floatToInt32",
                        "(L" + CPU + ";" + (isDouble ? "J" : "I") + "Z)I", false);
                host.writeInteger(mv, Operand.register(32, d));
            }
            case COMPARE_DOUBLE, COMPARE_FLOAT -> {
                boolean isDouble = f.kind() == COMPARE_DOUBLE;
                sourceInFirst(mv, s, m, isDouble);
                host.loadCpu(mv);
                mv.visitVarInsn(Opcodes.LLOAD, local(d, false));
                if (!isDouble) {
                    mv.visitInsn(Opcodes.L2I);
                }
                mv.visitVarInsn(Opcodes.LLOAD, first);
                if (!isDouble) {
                    mv.visitInsn(Opcodes.L2I);
                }
                X86Emitter.push(mv, f.immediate());
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, INLINE, isDouble ? "compareDouble" : "compareFloat",
                        "(L" + CPU + ";" + (isDouble ? "JJ" : "II") + "Z)I", false);
                host.comparisonFlags(mv);
            }
            case AND, AND_NOT, OR, XOR, ADD_QWORDS, SUB_QWORDS -> {
                if (m == null && s == d && (f.kind() == XOR || f.kind() == AND_NOT || f.kind() == SUB_QWORDS)) {
                    // pxor x, x and friends: the zeroing idiom
                    mv.visitInsn(Opcodes.LCONST_0);
                    mv.visitVarInsn(Opcodes.LSTORE, local(d, false));
                    mv.visitInsn(Opcodes.LCONST_0);
                    mv.visitVarInsn(Opcodes.LSTORE, local(d, true));
                    written(d, true, true);
                    return true;
                }
                int srcLow = local(s, false);
                int srcHigh = local(s, true);
                if (m != null) {
                    load128(mv, m, true);
                    srcLow = first;
                    srcHigh = second;
                }
                lanes(mv, f.kind(), local(d, false), srcLow);
                lanes(mv, f.kind(), local(d, true), srcHigh);
                written(d, true, true);
            }
            case SHIFT_LEFT_QWORDS, SHIFT_RIGHT_QWORDS -> {
                int count = f.immediate();
                for (int h = 0; h < 2; h++) {
                    if (count > 63) {
                        mv.visitInsn(Opcodes.LCONST_0);
                    } else {
                        mv.visitVarInsn(Opcodes.LLOAD, local(d, h == 1));
                        X86Emitter.push(mv, count);
                        mv.visitInsn(f.kind() == SHIFT_LEFT_QWORDS ? Opcodes.LSHL : Opcodes.LUSHR);
                    }
                    mv.visitVarInsn(Opcodes.LSTORE, local(d, h == 1));
                }
                written(d, true, true);
            }
            case DWORD_IN -> {
                if (f.integer().bits == 64) {
                    host.readQuadword(mv, f.integer());
                } else {
                    host.readInteger(mv, f.integer());
                    mv.visitInsn(Opcodes.I2L);
                    mv.visitLdcInsn(0xffffffffL);
                    mv.visitInsn(Opcodes.LAND);
                }
                mv.visitVarInsn(Opcodes.LSTORE, local(d, false));
                mv.visitInsn(Opcodes.LCONST_0);
                mv.visitVarInsn(Opcodes.LSTORE, local(d, true));
                written(d, true, true);
            }
            case DWORD_OUT -> {
                mv.visitVarInsn(Opcodes.LLOAD, local(s, false));
                if (f.integer().bits == 64) {
                    host.writeQuadword(mv, f.integer());
                } else {
                    mv.visitInsn(Opcodes.L2I);
                    host.writeInteger(mv, f.integer());
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private static void copy(MethodVisitor mv, int from, int to) {
        if (from != to) {
            mv.visitVarInsn(Opcodes.LLOAD, from);
            mv.visitVarInsn(Opcodes.LSTORE, to);
        }
    }

    /** The low quadword of {@code d} with its low dword replaced by the low dword of the long {@code low} pushes. */
    private void mergeLowDword(MethodVisitor mv, int d, Runnable low) {
        mv.visitVarInsn(Opcodes.LLOAD, local(d, false));
        mv.visitLdcInsn(0xffffffff00000000L);
        mv.visitInsn(Opcodes.LAND);
        low.run();
        mv.visitLdcInsn(0xffffffffL);
        mv.visitInsn(Opcodes.LAND);
        mv.visitInsn(Opcodes.LOR);
        mv.visitVarInsn(Opcodes.LSTORE, local(d, false));
    }

    /** dst = dst op src, one 64-bit lane. */
    private static void lanes(MethodVisitor mv, int kind, int dst, int src) {
        mv.visitVarInsn(Opcodes.LLOAD, dst);
        if (kind == AND_NOT) {
            mv.visitLdcInsn(-1L);
            mv.visitInsn(Opcodes.LXOR);
        }
        mv.visitVarInsn(Opcodes.LLOAD, src);
        mv.visitInsn(switch (kind) {
            case AND, AND_NOT -> Opcodes.LAND;
            case OR -> Opcodes.LOR;
            case XOR -> Opcodes.LXOR;
            case ADD_QWORDS -> Opcodes.LADD;
            default -> Opcodes.LSUB;
        });
        mv.visitVarInsn(Opcodes.LSTORE, dst);
    }

    /** Stores the scalar source (a double's bits, or a float's widened to a long) in the scratch local {@code first}. */
    private void sourceInFirst(MethodVisitor mv, int s, Operand.Memory m, boolean isDouble) {
        if (isDouble) {
            source64(mv, s, m);
        } else {
            source32(mv, s, m);
            mv.visitInsn(Opcodes.I2L);
        }
        mv.visitVarInsn(Opcodes.LSTORE, first);
    }

    /** Pushes the low quadword of XMM {@code s}, or the m64 at {@code m}. */
    private void source64(MethodVisitor mv, int s, Operand.Memory m) {
        if (m == null) {
            mv.visitVarInsn(Opcodes.LLOAD, local(s, false));
            return;
        }
        host.readMemory(mv, m, 64);
    }

    /** Pushes the low dword of XMM {@code s}, or the m32 at {@code m}, as an int. */
    private void source32(MethodVisitor mv, int s, Operand.Memory m) {
        if (m == null) {
            mv.visitVarInsn(Opcodes.LLOAD, local(s, false));
            mv.visitInsn(Opcodes.L2I);
            return;
        }
        host.readMemory(mv, m, 32);
    }

    /** Reads the m128 at {@code m} into the scratch locals {@link #first} (low) and {@link #second} (high). */
    private void load128(MethodVisitor mv, Operand.Memory m, boolean aligned) {
        host.pushAddress(mv, m);
        mv.visitVarInsn(Opcodes.LSTORE, address);
        if (aligned) {
            mv.visitVarInsn(Opcodes.LLOAD, address);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, INLINE, "requireAligned", "(J)V", false);
        }
        host.loadMemory(mv);
        mv.visitVarInsn(Opcodes.LLOAD, address);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, MEMORY, "read64", "(J)J", false);
        mv.visitVarInsn(Opcodes.LSTORE, first);
        host.loadMemory(mv);
        mv.visitVarInsn(Opcodes.LLOAD, address);
        mv.visitLdcInsn(8L);
        mv.visitInsn(Opcodes.LADD);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, MEMORY, "read64", "(J)J", false);
        mv.visitVarInsn(Opcodes.LSTORE, second);
        host.memoryAccessed(false);
        host.memoryAccessed(false);
    }

    /** Initialises the scratch locals (every frame must agree on their type). */
    void initialiseScratch(MethodVisitor mv) {
        for (int local = address; local < localsEnd(); local += 2) {
            mv.visitInsn(Opcodes.LCONST_0);
            mv.visitVarInsn(Opcodes.LSTORE, local);
        }
    }
}
