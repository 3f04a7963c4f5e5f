package org.qemu.kvm.gdb;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.qemu.common.gdbstub.CpuDebugSupport;
import org.qemu.common.gdbstub.DebugRegisters;
import org.qemu.common.gdbstub.InstructionHook;
import org.qemu.common.gdbstub.TargetDescription;
import org.qemu.common.gdbstub.TargetDescriptions;
import org.qemu.kvm.sys.ErrnoException;
import org.qemu.kvm.sys.KvmIoctls;
import org.qemu.kvm.sys.KvmLayouts;
import org.qemu.kvm.sys.KvmVcpu;

/**
 * The gdbstub under KVM. While a debugger is attached every vCPU single-steps
 * ({@code KVM_SET_GUEST_DEBUG} with ENABLE|SINGLESTEP): each instruction ends in
 * {@code KVM_EXIT_DEBUG}, and before the next {@code KVM_RUN} the vCPU thread reports its linear
 * pc (CS base + rip) to the hook, which holds it at breakpoints, after steps and on Ctrl-C.
 * Registers are GDB's i386 set, read and written through KVM_GET/SET_REGS, KVM_GET_SREGS and
 * KVM_GET_FPU (segments and FPU read-only).
 */
public final class KvmDebugSupport implements CpuDebugSupport {
    /** gdb's i386 order of the general registers, as indexes into {@code struct kvm_regs}. */
    private static final String[] GDB_GPRS = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi"};
    private static final String[] GDB_SEGMENTS = {"cs", "ss", "ds", "es", "fs", "gs"};

    private volatile InstructionHook hook;
    private final Map<KvmVcpu, Boolean> stepping = new ConcurrentHashMap<>();

    @Override
    public TargetDescription description() {
        return TargetDescriptions.I386;
    }

    @Override
    public DebugRegisters registers(Object cpu) {
        return new Registers((KvmVcpu) cpu);
    }

    @Override
    public void installHook(Object cpu, InstructionHook hook) {
        this.hook = hook;
    }

    /**
     * Called by the vCPU thread before each KVM_RUN: turns single-stepping on once, then
     * reports the pc (and may block there while the debugger looks).
     */
    public void beforeRun(KvmVcpu vcpu) throws ErrnoException {
        InstructionHook h = hook;
        if (h == null) {
            return;
        }
        if (stepping.putIfAbsent(vcpu, Boolean.TRUE) == null) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment debug = arena.allocate(KvmLayouts.GUEST_DEBUG);
                debug.set(ValueLayout.JAVA_INT, KvmLayouts.offset(KvmLayouts.GUEST_DEBUG, "control"),
                        KvmIoctls.GUESTDBG_ENABLE | KvmIoctls.GUESTDBG_SINGLESTEP);
                vcpu.set(KvmIoctls.SET_GUEST_DEBUG, debug, "KVM_SET_GUEST_DEBUG");
            }
        }
        h.beforeInstruction(vcpu, linearPc(vcpu));
    }

    private static long linearPc(KvmVcpu vcpu) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment regs = vcpu.getRegs(arena);
            MemorySegment sregs = vcpu.getSregs(arena);
            long rip = regs.get(ValueLayout.JAVA_LONG, KvmLayouts.offset(KvmLayouts.REGS, "rip"));
            long csBase = sregs.get(ValueLayout.JAVA_LONG, KvmLayouts.offset(KvmLayouts.SREGS, "cs", "base"));
            return csBase + rip;
        }
    }

    private record Registers(KvmVcpu vcpu) implements DebugRegisters {
        @Override
        public byte[] read(int regnum) {
            try (Arena arena = Arena.ofConfined()) {
                if (regnum < 10) {
                    MemorySegment regs = vcpu.getRegs(arena);
                    String name = regnum < 8 ? GDB_GPRS[regnum] : regnum == 8 ? "rip" : "rflags";
                    return le32((int) regs.get(ValueLayout.JAVA_LONG, KvmLayouts.offset(KvmLayouts.REGS, name)));
                }
                if (regnum < 16) {
                    MemorySegment sregs = vcpu.getSregs(arena);
                    short selector = sregs.get(ValueLayout.JAVA_SHORT,
                            KvmLayouts.offset(KvmLayouts.SREGS, GDB_SEGMENTS[regnum - 10], "selector"));
                    return le32(selector & 0xffff);
                }
                if (regnum > 40) {
                    return null;
                }
                MemorySegment fpu = arena.allocate(KvmLayouts.FPU);
                vcpu.get(KvmIoctls.GET_FPU, fpu, "KVM_GET_FPU");
                if (regnum < 24) {
                    // kvm_fpu.fpr holds ST(0)..ST(7), 16 bytes each (FXSAVE layout), 10 of them used.
                    return fpu.asSlice(KvmLayouts.offset(KvmLayouts.FPU, "fpr") + 16L * (regnum - 16), 10)
                            .toArray(ValueLayout.JAVA_BYTE);
                }
                if (regnum >= 32 && regnum < 40) {
                    return fpu.asSlice(KvmLayouts.offset(KvmLayouts.FPU, "xmm") + 16L * (regnum - 32), 16)
                            .toArray(ValueLayout.JAVA_BYTE);
                }
                return switch (regnum) {
                    case 24 -> le32(fpu.get(ValueLayout.JAVA_SHORT, KvmLayouts.offset(KvmLayouts.FPU, "fcw")) & 0xffff);
                    case 25 -> le32(fpu.get(ValueLayout.JAVA_SHORT, KvmLayouts.offset(KvmLayouts.FPU, "fsw")) & 0xffff);
                    case 26 -> le32(fullTagWord(fpu.get(ValueLayout.JAVA_BYTE, KvmLayouts.offset(KvmLayouts.FPU, "ftwx"))));
                    case 31 -> le32(fpu.get(ValueLayout.JAVA_SHORT, KvmLayouts.offset(KvmLayouts.FPU, "last_opcode")) & 0x7ff);
                    case 28 -> le32((int) fpu.get(ValueLayout.JAVA_LONG, KvmLayouts.offset(KvmLayouts.FPU, "last_ip")));
                    case 30 -> le32((int) fpu.get(ValueLayout.JAVA_LONG, KvmLayouts.offset(KvmLayouts.FPU, "last_dp")));
                    case 27, 29 -> le32(0);
                    case 40 -> le32(fpu.get(ValueLayout.JAVA_INT, KvmLayouts.offset(KvmLayouts.FPU, "mxcsr")));
                    default -> null;
                };
            } catch (ErrnoException e) {
                throw new IllegalStateException(e.getMessage());
            }
        }

        @Override
        public boolean write(int regnum, byte[] value) {
            if (regnum >= 10 || value.length != 4) {
                return false; // segments need descriptors, the FPU a whole image: read-only here
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment regs = vcpu.getRegs(arena);
                String name = regnum < 8 ? GDB_GPRS[regnum] : regnum == 8 ? "rip" : "rflags";
                long v = (value[0] & 0xffL) | (value[1] & 0xffL) << 8 | (value[2] & 0xffL) << 16 | (value[3] & 0xffL) << 24;
                regs.set(ValueLayout.JAVA_LONG, KvmLayouts.offset(KvmLayouts.REGS, name), v);
                vcpu.set(KvmIoctls.SET_REGS, regs, "KVM_SET_REGS");
                return true;
            } catch (ErrnoException e) {
                return false;
            }
        }

        @Override
        public long programCounter() {
            byte[] eip = read(8);
            return (eip[0] & 0xffL) | (eip[1] & 0xffL) << 8 | (eip[2] & 0xffL) << 16 | (eip[3] & 0xffL) << 24;
        }
    }

    /**
     * FXSAVE's abridged tag (one bit per register: in use) as the full tag word GDB shows;
     * registers in use read as "valid" (00), since telling zero and special apart needs the values.
     */
    static int fullTagWord(byte abridged) {
        int tags = 0;
        for (int i = 0; i < 8; i++) {
            if ((abridged & (1 << i)) == 0) {
                tags |= 3 << (2 * i);
            }
        }
        return tags;
    }

    private static byte[] le32(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }
}
