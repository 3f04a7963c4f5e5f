package org.qemu.i386.translate;


import org.qemu.common.memory.GuestMemory;
import org.qemu.common.memory.GuestMemoryFault;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.cpu.X86OpBase;
import org.qemu.i386.cpu.X86Trap;
import org.qemu.i386.decode.X86Decoder;

/**
 * Guest x86 code to translation blocks: decodes instruction by instruction, binds each to an op
 * with its operands resolved, and stops at a branch, at a 4 KiB page end or after
 * {@link #MAX_INSTRUCTIONS}. Integer instructions are handled here; x87/MMX/SSE go to the
 * {@link CoprocessorTranslator} when one is installed.
 */
public final class X86Translator {
    /** Bounds a block so its compiled method stays far below HotSpot's 8000-byte limit (about 13 bytes per op). */
    public static final int MAX_INSTRUCTIONS = 64;

    /** Instructions per block; 1 gives QEMU's -singlestep view for tracing (system property qemu.tcg.max-insns). */
    private final int maxInstructions = Math.max(1, Math.min(MAX_INSTRUCTIONS, Integer.getInteger("qemu.tcg.max-insns", MAX_INSTRUCTIONS)));

    private static final int REG_EAX = X86CpuState.EAX;

    private final GuestMemory memory;
    private final CoprocessorTranslator coprocessor;
    /** Null in user mode. */
    private final SystemTranslator system;
    private long blocks;
    private long instructions;
    private long nanos;

    public X86Translator(GuestMemory memory) {
        this(memory, bundledCoprocessor());
    }

    public X86Translator(GuestMemory memory, CoprocessorTranslator coprocessor) {
        this(memory, coprocessor, null);
    }

    /** A translator for system mode: {@code system} translates the privileged instructions. */
    public X86Translator(GuestMemory memory, SystemTranslator system) {
        this(memory, bundledCoprocessor(), system);
    }

    /**
     * The floating-point translator of this module, named directly: a {@code ServiceLoader}
     * lookup opened and indexed every jar on the class path (Byte Buddy's 3,100 entries among
     * them) and read their manifests, in the JVM's interpreter, at every emulator start.
     */
    private static CoprocessorTranslator bundledCoprocessor() {
        return new org.qemu.i386.fp.FpCoprocessor();
    }

    private X86Translator(GuestMemory memory, CoprocessorTranslator coprocessor, SystemTranslator system) {
        this.memory = memory;
        this.coprocessor = coprocessor;
        this.system = system;
    }

    /** Translates the block at {@code pc}; a fetch fault on its first instruction propagates. */
    public X86Block translate(long pc, int mode) {
        return translate(pc, mode, maxInstructions);
    }

    /** Translates a block of at most {@code maxInstructions} instructions at {@code pc} (1: one instruction run alone). */
    public X86Block translate(long pc, int mode, int maxInstructions) {
        // timed for the statistics only: two clock reads a block, in HotSpot's interpreter at start-up
        long started = THREADS != null ? clock() : 0;
        X86Decoder d = new X86Decoder(memory);
        // plain arrays, not lists of boxed longs: a block is translated once, mostly in HotSpot's
        // interpreter, where every Long.valueOf and longValue is a call (1,340 blocks per busybox start)
        // sized for a typical block and grown when needed: a block is usually a few instructions, and
        // arrays for the most a block may hold were ~1.2 KB of garbage per block (python3's start
        // translates ~38 K blocks: ~45 MB more young generation touched, page faults in system time)
        int capacity = Math.min(maxInstructions + 1, 16);
        X86Op[] ops = new X86Op[capacity];
        long[] starts = new long[capacity];
        long[] ends = new long[capacity];
        int n = 0;
        int codeBits = X86Cpu.codeBits(mode);
        boolean longMode = codeBits == 64;
        long firstPage = pc >>> GuestMemory.PAGE_SHIFT;
        long lastPage = firstPage;
        long cur = pc;
        while (true) {
            X86Op op;
            long next;
            try {
                d.start(cur, codeBits);
                op = translateOne(d, mode >>> X86Cpu.MODE_PRIVILEGE_SHIFT);
                next = d.cursor();
                d.finishInstruction();
            } catch (GuestMemoryFault f) {
                if (n == 0) {
                    throw f;
                }
                op = new SystemOps.FetchFault(f);
                next = cur;
            } catch (X86Decoder.InstructionTooLong e) {
                op = new SystemOps.Trap(X86Trap.generalProtection(0));
                next = cur;
            }
            if (n + 2 > ops.length) {
                // room for this op and a closing jump
                int grown = Math.min(maxInstructions + 1, ops.length * 2);
                ops = copyOf(ops, grown);
                starts = java.util.Arrays.copyOf(starts, grown);
                ends = java.util.Arrays.copyOf(ends, grown);
            }
            ops[n] = op;
            starts[n] = cur;
            ends[n] = next;
            n++;
            if (next > cur) {
                lastPage = Math.max(lastPage, (next - 1) >>> GuestMemory.PAGE_SHIFT);
            }
            if (op.endsBlock()) {
                break;
            }
            cur = longMode ? next : next & 0xffffffffL;
            if (n >= maxInstructions || (cur >>> GuestMemory.PAGE_SHIFT) != firstPage) {
                ops[n] = longMode ? new LongModeOps.Goto(cur) : new ControlOps.Goto((int) cur);
                starts[n] = cur;
                ends[n] = cur;
                n++;
                break;
            }
        }
        X86Op[] blockOps = copyOf(ops, n);
        long[] s = java.util.Arrays.copyOf(starts, n);
        long[] e = java.util.Arrays.copyOf(ends, n);
        X86Block block = new X86Block(pc, mode, firstPage, lastPage, blockOps, s, e);
        org.qemu.common.log.TranslationLog log = org.qemu.common.log.TranslationLog.active();
        if (log != null) {
            org.qemu.i386.disas.X86BlockListing.write(log, memory, pc, codeBits, blockOps.clone(), s, e);
        }
        synchronized (this) {
            blocks++;
            instructions += n;
            if (THREADS != null) {
                nanos += clock() - started;
            }
        }
        return block;
    }

    /**
     * The first {@code n} ops in a new array. Not Arrays.copyOf: for an array of a type other than
     * Object[] it makes the copy through reflection (Array.newInstance, a native call in HotSpot's
     * interpreter, where the translator runs for a program's first blocks).
     */
    private static X86Op[] copyOf(X86Op[] ops, int n) {
        X86Op[] copy = new X86Op[n];
        System.arraycopy(ops, 0, copy, 0, Math.min(n, ops.length));
        return copy;
    }

    /** With {@code qemu.tcg.stats}, this thread's CPU time (the statistics then mean something on a loaded machine). */
    private static long clock() {
        return THREADS.getCurrentThreadCpuTime();
    }

    private static final java.lang.management.ThreadMXBean THREADS = Boolean.getBoolean("qemu.tcg.stats")
            ? java.lang.management.ManagementFactory.getThreadMXBean() : null;

    public synchronized String statistics() {
        return blocks + " blocks / " + instructions + " ops, " + (blocks == 0 ? 0 : nanos / blocks / 1000) + " us per block";
    }

    // ---- operand helpers -----------------------------------------------------------------

    static Operand rm(X86Decoder d, int bits) {
        d.readModrm();
        return d.modrmIsRegister() ? Operand.register(bits, bits == 8 ? d.byteRegister(d.rm()) : d.rm())
                : Operand.memory(bits, d.decodeModrmMemory());
    }

    static Operand reg(X86Decoder d, int bits) {
        d.readModrm();
        return Operand.register(bits, bits == 8 ? d.byteRegister(d.reg()) : d.reg());
    }

    // ---- op factories: 64-bit operands (REX.W) take the quadword ops ---------------------------

    static X86Op binary(int kind, Operand dst, Operand src) {
        return dst.bits == 64 ? new QuadwordOps.Binary(kind, dst, src) : new ArithmeticOps.Binary(kind, dst, src);
    }

    static X86Op unary(int kind, Operand dst) {
        return dst.bits == 64 ? new QuadwordOps.Unary(kind, dst) : new ArithmeticOps.Unary(kind, dst);
    }

    static X86Op shift(int kind, Operand dst, Operand count) {
        return dst.bits == 64 ? new QuadwordOps.Shift(kind, dst, count) : new ShiftOps.Shift(kind, dst, count);
    }

    static X86Op doubleShift(boolean left, Operand dst, Operand src, Operand count) {
        return dst.bits == 64 ? new QuadwordOps.DoubleShift(left, dst, src, count) : new ShiftOps.DoubleShift(left, dst, src, count);
    }

    static X86Op multiply(Operand dst, Operand a, Operand b) {
        return dst.bits == 64 ? new QuadwordOps.Multiply(dst, a, b) : new MulDivOps.Multiply(dst, a, b);
    }

    static X86Op wideMultiply(Operand src, boolean signed) {
        return src.bits == 64 ? new QuadwordOps.WideMultiply(src, signed) : new MulDivOps.WideMultiply(src, signed);
    }

    static X86Op divide(Operand src, boolean signed) {
        return src.bits == 64 ? new QuadwordOps.Divide(src, signed) : new MulDivOps.Divide(src, signed);
    }

    static X86Op move(Operand dst, Operand src) {
        return dst.bits == 64 ? new QuadwordOps.Move(dst, src) : new MoveOps.Move(dst, src);
    }

    static X86Op moveExtend(Operand dst, Operand src, boolean signed) {
        return dst.bits == 64 ? new QuadwordOps.MoveExtend(dst, src, signed) : new MoveOps.MoveExtend(dst, src, signed);
    }

    static X86Op exchange(Operand rm, Operand reg) {
        return rm.bits == 64 ? new QuadwordOps.Exchange(rm, reg) : new MoveOps.Exchange(rm, reg);
    }

    static X86Op exchangeAdd(Operand rm, Operand reg) {
        return rm.bits == 64 ? new QuadwordOps.ExchangeAdd(rm, reg) : new MoveOps.ExchangeAdd(rm, reg);
    }

    static X86Op compareExchange(Operand rm, Operand reg) {
        return rm.bits == 64 ? new QuadwordOps.CompareExchange(rm, reg) : new MoveOps.CompareExchange(rm, reg);
    }

    static X86Op bitTest(int kind, Operand base, Operand offset) {
        return base.bits == 64 ? new QuadwordOps.BitTest(kind, base, offset) : new BitOps.BitTest(kind, base, offset);
    }

    static X86Op bitScan(boolean reverse, Operand dst, Operand src) {
        return dst.bits == 64 ? new QuadwordOps.BitScan(reverse, dst, src) : new BitOps.BitScan(reverse, dst, src);
    }

    static Operand imm(X86Decoder d, int bits) {
        return Operand.immediate(bits, d.immediate(bits));
    }

    /** An 8-bit immediate sign-extended to {@code bits}. */
    static Operand imm8(X86Decoder d, int bits) {
        return Operand.immediate(bits, d.imm8());
    }

    private static int target(X86Decoder d, int rel, int bits) {
        int t = (int) d.cursor() + rel;
        return bits == 16 ? t & 0xffff : t;
    }

    static X86Op invalid(X86Decoder d) {
        return new SystemOps.Trap(X86Trap.invalidOpcode(d.pc()));
    }

    /**
     * {@code int n} in user mode other than a system call: Linux opens the gates of #BP and #OF
     * to user code (traps: SIGTRAP or SIGSEGV with eip after the instruction); every other gate is
     * closed (#GP naming it).
     */
    static X86Op softwareInterrupt(int vector) {
        return new SystemOps.Trap(switch (vector) {
            case 3 -> X86Trap.breakpoint();
            case 4 -> X86Trap.overflow();
            default -> X86Trap.closedGate(vector);
        });
    }

    static X86Op privileged() {
        return new SystemOps.Trap(X86Trap.generalProtection(0));
    }

    /** Wraps a read-modify-write op that carries lock (or is xchg with memory) so it is atomic between guest threads. */
    static X86Op atomicIf(boolean atomic, X86Op op) {
        return atomic ? new Locked(op) : op;
    }

    /** Runs an op under the address space's lock: the atomicity lock-prefixed instructions promise. */
    static final class Locked extends X86OpBase {
        private final X86Op inner;

        Locked(X86Op inner) {
            this.inner = inner;
        }

        @Override
        public void exec(X86Cpu cpu) {
            synchronized (cpu.memory) {
                // with pages shared with other processes (other JVMs), their atomics and ours agree
                org.qemu.common.memory.CrossProcessLock others = cpu.memory.crossProcessLock();
                if (others == null) {
                    inner.exec(cpu);
                    return;
                }
                others.lock();
                try {
                    inner.exec(cpu);
                } finally {
                    others.unlock();
                }
            }
        }
    }

    // ---- the one-byte map ------------------------------------------------------------------

    private X86Op translateOne(X86Decoder d, int privilegeLevel) {
        int op = d.readPrefixes();
        X86Op translated = translateOpcode(d, op, privilegeLevel);
        if (d.lock() && !lockable(op, d)) {
            return invalid(d);
        }
        return translated;
    }

    /**
     * Whether a LOCK prefix is allowed on the instruction just decoded ({@code op}: its opcode,
     * 0x1xx for the 0F map): only the read-modify-write forms with a memory destination (add,
     * or, adc, sbb, and, sub, xor, not, neg, inc, dec, xchg, bts, btr, btc, xadd, cmpxchg,
     * cmpxchg8b/16b) take it; on anything else, or with a register destination, it is #UD.
     */
    static boolean lockable(int op, X86Decoder d) {
        return switch (op) {
            case 0x00, 0x01, 0x08, 0x09, 0x10, 0x11, 0x18, 0x19, 0x20, 0x21, 0x28, 0x29, 0x30, 0x31, 0x86, 0x87,
                    0x1ab, 0x1b3, 0x1bb, 0x1b0, 0x1b1, 0x1c0, 0x1c1 -> !d.modrmIsRegister();
            case 0x80, 0x81, 0x82, 0x83 -> !d.modrmIsRegister() && d.opcodeExtension() != 7;
            case 0xf6, 0xf7 -> !d.modrmIsRegister() && (d.opcodeExtension() == 2 || d.opcodeExtension() == 3);
            case 0xfe, 0xff -> !d.modrmIsRegister() && d.opcodeExtension() <= 1;
            case 0x1ba -> !d.modrmIsRegister() && d.opcodeExtension() >= 5;
            case 0x1c7 -> !d.modrmIsRegister() && d.opcodeExtension() == 1;
            default -> false;
        };
    }

    private X86Op translateOpcode(X86Decoder d, int op, int privilegeLevel) {
        int v = d.operandBits();
        if (d.longMode()) {
            if (system != null) {
                X86Op first = system.translateLongMode(op, d, v, privilegeLevel);
                if (first != null) {
                    return first;
                }
            }
            X86Op special = LongModeTranslation.translate(d, op, v);
            if (special != null) {
                return special;
            }
        }
        if (system != null) {
            X86Op privileged = system.translate(op, d, v, privilegeLevel);
            if (privileged != null) {
                return privileged;
            }
        }
        if (op >= 0x100) {
            return translateTwoByte(d, op, v);
        }
        if (op < 0x40 && (op & 7) < 6) {
            return alu(d, op >> 3, op & 7, v);
        }
        switch (op) {
            case 0x06, 0x0e, 0x16, 0x1e:
                return new StackOps.PushSegment(op >> 3, v);
            case 0x07, 0x17, 0x1f:
                return new StackOps.PopSegment(op >> 3, v);
            case 0x27:
                return new SystemOps.DecimalAdjust(SystemOps.DAA);
            case 0x2f:
                return new SystemOps.DecimalAdjust(SystemOps.DAS);
            case 0x37:
                return new SystemOps.DecimalAdjust(SystemOps.AAA);
            case 0x3f:
                return new SystemOps.DecimalAdjust(SystemOps.AAS);
            default:
                break;
        }
        if (op >= 0x40 && op <= 0x4f) {
            return unary(op < 0x48 ? ArithmeticOps.INC : ArithmeticOps.DEC, Operand.register(v, op & 7));
        }
        if (op >= 0x50 && op <= 0x57) {
            return new StackOps.Push(Operand.register(v, op & 7), v);
        }
        if (op >= 0x58 && op <= 0x5f) {
            return new StackOps.Pop(Operand.register(v, op & 7), v);
        }
        if (op >= 0x70 && op <= 0x7f) {
            int rel = d.imm8();
            return new ControlOps.ConditionalJump(op & 15, target(d, rel, v), (int) d.cursor());
        }
        if (op >= 0x91 && op <= 0x97) {
            return exchange(Operand.register(v, op & 7), Operand.register(v, REG_EAX));
        }
        if (op >= 0xb0 && op <= 0xb7) {
            return move(Operand.register(8, op & 7), imm(d, 8));
        }
        if (op >= 0xb8 && op <= 0xbf) {
            return move(Operand.register(v, op & 7), imm(d, v));
        }
        if (op >= 0xd8 && op <= 0xdf) {
            X86Op fp = coprocessor == null ? null : coprocessor.translateX87(op, d);
            return fp == null ? invalid(d) : fp;
        }
        switch (op) {
            case 0x60:
                return new StackOps.PushAll(v);
            case 0x61:
                return new StackOps.PopAll(v);
            case 0x62: {
                Operand index = reg(d, v);
                if (d.modrmIsRegister()) {
                    return invalid(d);
                }
                return new SystemOps.CheckBounds(index, Operand.memory(v, d.decodeModrmMemory()));
            }
            case 0x68:
                return new StackOps.Push(imm(d, v), v);
            case 0x6a:
                return new StackOps.Push(imm8(d, v), v);
            case 0x69: {
                Operand r = reg(d, v);
                Operand m = rm(d, v);
                return multiply(r, m, imm(d, v));
            }
            case 0x6b: {
                Operand r = reg(d, v);
                Operand m = rm(d, v);
                return multiply(r, m, imm8(d, v));
            }
            case 0x6c, 0x6d, 0x6e, 0x6f, 0xe4, 0xe5, 0xe6, 0xe7, 0xec, 0xed, 0xee, 0xef, 0xf4, 0xfa, 0xfb, 0xcf,
                    0x9a, 0xea, 0xca, 0xcb:
                return privileged();
            case 0x80, 0x81, 0x82, 0x83: {
                int bits = (op & 1) == 0 ? 8 : v;
                Operand dst = rm(d, bits);
                int kind = d.opcodeExtension();
                Operand src = op == 0x83 ? imm8(d, bits) : imm(d, bits);
                return atomicIf(d.lock() && kind != ArithmeticOps.CMP && dst instanceof Operand.Memory,
                        binary(kind, dst, src));
            }
            case 0x84, 0x85: {
                int bits = op == 0x84 ? 8 : v;
                Operand m = rm(d, bits);
                return binary(ArithmeticOps.TEST, m, reg(d, bits));
            }
            case 0x86, 0x87: {
                int bits = op == 0x86 ? 8 : v;
                Operand m = rm(d, bits);
                return atomicIf(m instanceof Operand.Memory, exchange(m, reg(d, bits)));
            }
            case 0x88, 0x89: {
                int bits = op == 0x88 ? 8 : v;
                Operand m = rm(d, bits);
                return move(m, reg(d, bits));
            }
            case 0x8a, 0x8b: {
                int bits = op == 0x8a ? 8 : v;
                Operand m = rm(d, bits);
                return move(reg(d, bits), m);
            }
            case 0x8c: {
                d.readModrm();
                int seg = d.opcodeExtension();
                if (seg > 5) {
                    return invalid(d);
                }
                Operand dst = d.modrmIsRegister() ? Operand.register(v, d.rm()) : Operand.memory(16, d.decodeModrmMemory());
                return new SystemOps.StoreSegment(seg, dst);
            }
            case 0x8d: {
                d.readModrm();
                if (d.modrmIsRegister()) {
                    return invalid(d);
                }
                Operand.Memory m = (Operand.Memory) Operand.memory(v, d.decodeModrmMemory());
                if (v == 64) {
                    return new QuadwordOps.LoadEffectiveAddress(Operand.register(v, d.reg()), m);
                }
                return new MoveOps.LoadEffectiveAddress(Operand.register(v, d.reg()), m);
            }
            case 0x8e: {
                Operand src = rm(d, 16);
                int seg = d.opcodeExtension();
                if (seg > 5 || seg == X86CpuState.CS) {
                    return invalid(d);
                }
                return new SystemOps.LoadSegment(seg, src);
            }
            case 0x8f: {
                Operand dst = rm(d, v);
                return d.opcodeExtension() == 0 ? new StackOps.Pop(dst, v) : invalid(d);
            }
            case 0x90:
                return SystemOps.Nop.INSTANCE;
            case 0x98:
                return new MoveOps.SignExtendAccumulator(v, false);
            case 0x99:
                return new MoveOps.SignExtendAccumulator(v, true);
            case 0x9b:
                return cpu -> cpu.state.fpu.checkPendingException(); // fwait: raises a pending unmasked x87 exception
            case 0x9c:
                return new StackOps.PushFlags(v);
            case 0x9d:
                return new StackOps.PopFlags(v);
            case 0x9e:
                return new SystemOps.StoreAhIntoFlags();
            case 0x9f:
                return new SystemOps.LoadFlagsIntoAh();
            case 0xa0, 0xa1, 0xa2, 0xa3: {
                int bits = (op & 1) == 0 ? 8 : v;
                int offset = d.addressBits() == 16 ? d.imm16() : d.imm32();
                Operand m = Operand.memory(bits, new org.qemu.i386.decode.EffectiveAddress(d.dataSegment(), -1, -1, 0, offset, d.addressBits()));
                Operand acc = Operand.register(bits, REG_EAX);
                return op < 0xa2 ? move(acc, m) : move(m, acc);
            }
            case 0xa4, 0xa5, 0xa6, 0xa7, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf: {
                int bits = (op & 1) == 0 ? 8 : v;
                int kind = switch (op & ~1) {
                    case 0xa4 -> StringOps.MOVS;
                    case 0xa6 -> StringOps.CMPS;
                    case 0xaa -> StringOps.STOS;
                    case 0xac -> StringOps.LODS;
                    default -> StringOps.SCAS;
                };
                return StringOps.of(kind, bits, d.repPrefix(), d.dataSegment(), d.addressBits() == 16);
            }
            case 0xa8:
                return binary(ArithmeticOps.TEST, Operand.register(8, REG_EAX), imm(d, 8));
            case 0xa9:
                return binary(ArithmeticOps.TEST, Operand.register(v, REG_EAX), imm(d, v));
            case 0xc0, 0xc1: {
                int bits = op == 0xc0 ? 8 : v;
                Operand dst = rm(d, bits);
                return shift(d.opcodeExtension(), dst, Operand.immediate(8, d.uimm8()));
            }
            case 0xd0, 0xd1: {
                int bits = op == 0xd0 ? 8 : v;
                Operand dst = rm(d, bits);
                return shift(d.opcodeExtension(), dst, Operand.immediate(8, 1));
            }
            case 0xd2, 0xd3: {
                int bits = op == 0xd2 ? 8 : v;
                Operand dst = rm(d, bits);
                return shift(d.opcodeExtension(), dst, Operand.register(8, X86CpuState.ECX));
            }
            case 0xc2:
                return new ControlOps.Return(d.imm16(), v);
            case 0xc3:
                return new ControlOps.Return(0, v);
            case 0xc6, 0xc7: {
                int bits = op == 0xc6 ? 8 : v;
                Operand dst = rm(d, bits);
                if (d.opcodeExtension() != 0) {
                    return invalid(d);
                }
                return move(dst, imm(d, bits));
            }
            case 0xc8: {
                int size = d.imm16();
                return new StackOps.Enter(size, d.uimm8(), v);
            }
            case 0xc9:
                return new StackOps.Leave(v);
            case 0xcc:
                return new SystemOps.Trap(X86Trap.breakpoint());
            case 0xcd: {
                int vector = d.uimm8();
                if (vector == 0x80) {
                    return new SystemOps.SystemCall((int) d.cursor());
                }
                return softwareInterrupt(vector);
            }
            case 0xce:
                return new SystemOps.InterruptOnOverflow();
            case 0xd4:
                return new SystemOps.AsciiAdjustMultiplyDivide(true, d.uimm8());
            case 0xd5:
                return new SystemOps.AsciiAdjustMultiplyDivide(false, d.uimm8());
            case 0xd7:
                return new MoveOps.Translate(d.dataSegment(), d.addressBits(), false);
            case 0xe0, 0xe1, 0xe2, 0xe3: {
                int rel = d.imm8();
                return new ControlOps.Loop(op & 3, target(d, rel, v), (int) d.cursor(), d.addressBits() == 16);
            }
            case 0xe8: {
                int rel = d.immediate(v);
                return new ControlOps.Call(null, target(d, rel, v), (int) d.cursor(), v);
            }
            case 0xe9: {
                int rel = v == 16 ? (short) d.imm16() : d.imm32();
                return new ControlOps.Goto(target(d, rel, v));
            }
            case 0xeb: {
                int rel = d.imm8();
                return new ControlOps.Goto(target(d, rel, v));
            }
            case 0xf5:
                return new SystemOps.FlagOp(SystemOps.CMC);
            case 0xf6, 0xf7:
                return group3(d, op == 0xf6 ? 8 : v);
            case 0xf8:
                return new SystemOps.FlagOp(SystemOps.CLC);
            case 0xf9:
                return new SystemOps.FlagOp(SystemOps.STC);
            case 0xfc:
                return new SystemOps.FlagOp(SystemOps.CLD);
            case 0xfd:
                return new SystemOps.FlagOp(SystemOps.STD);
            case 0xfe: {
                Operand dst = rm(d, 8);
                return switch (d.opcodeExtension()) {
                    case 0 -> atomicIf(d.lock() && dst instanceof Operand.Memory, unary(ArithmeticOps.INC, dst));
                    case 1 -> atomicIf(d.lock() && dst instanceof Operand.Memory, unary(ArithmeticOps.DEC, dst));
                    default -> invalid(d);
                };
            }
            case 0xff:
                return group5(d, v);
            default:
                return invalid(d);
        }
    }

    private X86Op alu(X86Decoder d, int kind, int form, int v) {
        switch (form) {
            case 0, 1: {
                int bits = form == 0 ? 8 : v;
                Operand dst = rm(d, bits);
                Operand src = reg(d, bits);
                if ((kind == ArithmeticOps.XOR || kind == ArithmeticOps.SUB) && dst instanceof Operand.Register r && r.reg == d.reg()) {
                    return zeroRegister(dst, kind == ArithmeticOps.SUB);
                }
                return atomicIf(d.lock() && kind != ArithmeticOps.CMP && dst instanceof Operand.Memory,
                        binary(kind, dst, src));
            }
            case 2, 3: {
                int bits = form == 2 ? 8 : v;
                Operand src = rm(d, bits);
                Operand dst = reg(d, bits);
                if ((kind == ArithmeticOps.XOR || kind == ArithmeticOps.SUB) && src instanceof Operand.Register r && r.reg == d.reg()) {
                    return zeroRegister(dst, kind == ArithmeticOps.SUB);
                }
                return binary(kind, dst, src);
            }
            case 4:
                return binary(kind, Operand.register(8, REG_EAX), imm(d, 8));
            default:
                return binary(kind, Operand.register(v, REG_EAX), imm(d, v));
        }
    }

    /** xor/sub r, r: a 64-bit register is zeroed by its 32-bit write (zero-extended), with the same flags. */
    static X86Op zeroRegister(Operand dst, boolean sub) {
        Operand target = dst.bits == 64 ? Operand.register(32, ((Operand.Register) dst).reg) : dst;
        return new ArithmeticOps.ZeroRegister(target, sub);
    }

    private X86Op group3(X86Decoder d, int bits) {
        Operand m = rm(d, bits);
        boolean atomic = d.lock() && m instanceof Operand.Memory;
        return switch (d.opcodeExtension()) {
            case 0, 1 -> binary(ArithmeticOps.TEST, m, imm(d, bits));
            case 2 -> atomicIf(atomic, unary(ArithmeticOps.NOT, m));
            case 3 -> atomicIf(atomic, unary(ArithmeticOps.NEG, m));
            case 4 -> wideMultiply(m, false);
            case 5 -> wideMultiply(m, true);
            case 6 -> divide(m, false);
            default -> divide(m, true);
        };
    }

    private X86Op group5(X86Decoder d, int v) {
        d.readModrm();
        int sub = d.opcodeExtension();
        Operand m = rm(d, v);
        boolean atomic = d.lock() && m instanceof Operand.Memory;
        return switch (sub) {
            case 0 -> atomicIf(atomic, unary(ArithmeticOps.INC, m));
            case 1 -> atomicIf(atomic, unary(ArithmeticOps.DEC, m));
            case 2 -> new ControlOps.Call(m, 0, (int) d.cursor(), v);
            case 4 -> new ControlOps.IndirectJump(m);
            case 6 -> new StackOps.Push(m, v);
            case 3, 5 -> privileged(); // far call/jmp through memory: no user code segments to go to
            default -> invalid(d);
        };
    }

    // ---- the 0x0F map ----------------------------------------------------------------------

    private X86Op translateTwoByte(X86Decoder d, int op, int v) {
        int b = op & 0xff;
        if (op < 0x200) {
            if (b >= 0x40 && b <= 0x4f) {
                Operand dst = reg(d, v);
                if (d.longMode() && v != 16) {
                    return new QuadwordOps.ConditionalMove(b & 15, dst, rm(d, v));
                }
                return new MoveOps.ConditionalMove(b & 15, dst, rm(d, v));
            }
            if (b >= 0x80 && b <= 0x8f) {
                int rel = v == 16 ? (short) d.imm16() : d.imm32();
                return new ControlOps.ConditionalJump(b & 15, target(d, rel, v), (int) d.cursor());
            }
            if (b >= 0x90 && b <= 0x9f) {
                return new MoveOps.SetCondition(b & 15, rm(d, 8));
            }
            if (b >= 0xc8 && b <= 0xcf) {
                return new MoveOps.ByteSwap(b & 7, v);
            }
            if (b == 0xae) {
                d.readModrm();
                if (d.modrmIsRegister() && d.opcodeExtension() >= 5) {
                    return SystemOps.Nop.INSTANCE; // lfence, mfence, sfence: one guest thread's memory is already ordered
                }
            }
        }
        if (CoprocessorTranslator.isSimdOpcode(op) || op == 0x1ae || op == 0x177) {
            X86Op simd = coprocessor == null ? null : coprocessor.translateSimd(op, d);
            return simd == null ? invalid(d) : simd;
        }
        switch (b) {
            case 0x0b, 0xb9, 0xff:
                return invalid(d);
            case 0x0d, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f: {
                rm(d, v); // prefetch hints and multi-byte nop (also endbr32)
                return SystemOps.Nop.INSTANCE;
            }
            case 0x31:
                return new SystemOps.ReadTimeStampCounter();
            case 0xa2:
                return new SystemOps.Cpuid();
            case 0xa0:
                return new StackOps.PushSegment(X86CpuState.FS, v);
            case 0xa1:
                return new StackOps.PopSegment(X86CpuState.FS, v);
            case 0xa8:
                return new StackOps.PushSegment(X86CpuState.GS, v);
            case 0xa9:
                return new StackOps.PopSegment(X86CpuState.GS, v);
            case 0xa3, 0xab, 0xb3, 0xbb: {
                Operand m = rm(d, v);
                int kind = (b >> 3) & 3;
                return atomicIf(d.lock() && kind != BitOps.BT && m instanceof Operand.Memory,
                        bitTest(kind, m, reg(d, v)));
            }
            case 0xba: {
                Operand m = rm(d, v);
                int sub = d.opcodeExtension();
                if (sub < 4) {
                    return invalid(d);
                }
                return atomicIf(d.lock() && sub != 4 && m instanceof Operand.Memory,
                        bitTest(sub - 4, m, Operand.immediate(8, d.uimm8())));
            }
            case 0xa4, 0xa5, 0xac, 0xad: {
                Operand m = rm(d, v);
                Operand r = reg(d, v);
                Operand count = (b & 1) == 0 ? Operand.immediate(8, d.uimm8()) : Operand.register(8, X86CpuState.ECX);
                return doubleShift(b < 0xa8, m, r, count);
            }
            case 0xaf: {
                Operand r = reg(d, v);
                return multiply(r, r, rm(d, v));
            }
            case 0xb0, 0xb1: {
                int bits = b == 0xb0 ? 8 : v;
                Operand m = rm(d, bits);
                return atomicIf(d.lock() && m instanceof Operand.Memory, compareExchange(m, reg(d, bits)));
            }
            case 0xb6, 0xb7, 0xbe, 0xbf: {
                int srcBits = (b & 1) == 0 ? 8 : 16;
                Operand src = rm(d, srcBits);
                return moveExtend(reg(d, v), src, b >= 0xbe);
            }
            case 0xb8: {
                // popcnt (F3); without the prefix the opcode is jmpe, which only IA-64 had
                if (d.repPrefix() != 0xf3) {
                    return invalid(d);
                }
                Operand src = rm(d, v);
                return new BitOps.PopCount(reg(d, v), src);
            }
            case 0xbc, 0xbd: {
                Operand src = rm(d, v);
                // lzcnt where CPUID claims it (64-bit code); elsewhere, as on processors without
                // it, F3 0F BD is bsr. tzcnt (F3 0F BC) is BMI1's, which is not claimed: bsf.
                if (b == 0xbd && d.repPrefix() == 0xf3 && d.longMode()) {
                    return new BitOps.LeadingZeroCount(reg(d, v), src);
                }
                return bitScan(b == 0xbd, reg(d, v), src);
            }
            case 0xc0, 0xc1: {
                int bits = b == 0xc0 ? 8 : v;
                Operand m = rm(d, bits);
                return atomicIf(d.lock() && m instanceof Operand.Memory, exchangeAdd(m, reg(d, bits)));
            }
            case 0xc7: {
                d.readModrm();
                if (d.opcodeExtension() != 1 || d.modrmIsRegister()) {
                    return invalid(d);
                }
                Operand.Memory m = (Operand.Memory) Operand.memory(64, d.decodeModrmMemory());
                return atomicIf(true, new MoveOps.CompareExchange8Bytes(m));
            }
            case 0x00, 0x01, 0x06, 0x08, 0x09, 0x20, 0x21, 0x22, 0x23, 0x30, 0x32, 0x33:
                return privileged();
            default:
                return invalid(d);
        }
    }
}
