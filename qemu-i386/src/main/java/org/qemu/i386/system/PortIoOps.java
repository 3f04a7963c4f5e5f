package org.qemu.i386.system;

import org.qemu.common.hw.IoPortBus;
import org.qemu.common.memory.GuestMemory;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.cpu.X86OpBase;

/** in, out, ins, outs (with rep): the I/O port space of the board, behind the IOPL and TSS bitmap check. */
final class PortIoOps {
    private PortIoOps() {
    }

    private static IoPortBus bus(X86Cpu cpu) {
        return ((SystemCpu) cpu.systemContext()).io;
    }

    /** The port: an immediate byte, or DX when {@code fixedPort} is negative. */
    private static int port(X86Cpu cpu, int fixedPort) {
        return fixedPort >= 0 ? fixedPort : cpu.state.reg32(X86CpuState.EDX) & 0xffff;
    }

    static int merge(int old, int value, int bits) {
        return switch (bits) {
            case 8 -> (old & ~0xff) | (value & 0xff);
            case 16 -> (old & ~0xffff) | (value & 0xffff);
            default -> value;
        };
    }

    static final class In extends X86OpBase {
        private final int bits;
        private final int fixedPort;

        In(int bits, int fixedPort) {
            this.bits = bits;
            this.fixedPort = fixedPort;
        }

        @Override
        public void exec(X86Cpu cpu) {
            int port = port(cpu, fixedPort);
            PrivilegeChecks.requireIoPermission((SystemCpu) cpu.systemContext(), port, bits / 8);
            int value = bus(cpu).in(port, bits / 8);
            X86CpuState r = cpu.state;
            r.setReg32(X86CpuState.EAX, merge(r.reg32(X86CpuState.EAX), value, bits));
        }
    }

    static final class Out extends X86OpBase {
        private final int bits;
        private final int fixedPort;

        Out(int bits, int fixedPort) {
            this.bits = bits;
            this.fixedPort = fixedPort;
        }

        @Override
        public void exec(X86Cpu cpu) {
            int eax = cpu.state.reg32(X86CpuState.EAX);
            int value = bits == 8 ? eax & 0xff : bits == 16 ? eax & 0xffff : eax;
            int port = port(cpu, fixedPort);
            PrivilegeChecks.requireIoPermission((SystemCpu) cpu.systemContext(), port, bits / 8);
            bus(cpu).out(port, bits / 8, value);
        }
    }

    /** ins (port DX to ES:EDI) and outs (DS:ESI, or the override, to port DX), optionally rep. */
    static final class StringIo extends X86OpBase {
        private final boolean input;
        private final int bits;
        private final boolean rep;
        private final int sourceSegment;
        private final boolean address16;

        StringIo(boolean input, int bits, boolean rep, int sourceSegment, boolean address16) {
            this.input = input;
            this.bits = bits;
            this.rep = rep;
            this.sourceSegment = sourceSegment;
            this.address16 = address16;
        }

        private int mask(int v) {
            return address16 ? v & 0xffff : v;
        }

        private int advance(int reg, int delta) {
            return address16 ? (reg & ~0xffff) | ((reg + delta) & 0xffff) : reg + delta;
        }

        @Override
        public void exec(X86Cpu cpu) {
            X86CpuState s = cpu.state;
            X86CpuState r = s;
            PrivilegeChecks.requireIoPermission((SystemCpu) cpu.systemContext(), r.reg32(X86CpuState.EDX) & 0xffff, bits / 8);
            if (!rep) {
                once(cpu, s, r);
                return;
            }
            while (mask(r.reg32(X86CpuState.ECX)) != 0) {
                once(cpu, s, r);
                r.setReg32(X86CpuState.ECX, advance(r.reg32(X86CpuState.ECX), -1));
            }
        }

        private void once(X86Cpu cpu, X86CpuState s, X86CpuState r) {
            GuestMemory m = cpu.memory;
            IoPortBus io = bus(cpu);
            int port = r.reg32(X86CpuState.EDX) & 0xffff;
            int step = s.direction() * (bits / 8);
            if (input) {
                long a = (s.segBase[X86CpuState.ES] + mask(r.reg32(X86CpuState.EDI))) & 0xffffffffL;
                int v = io.in(port, bits / 8);
                switch (bits) {
                    case 8 -> m.write8(a, v);
                    case 16 -> m.write16(a, v);
                    default -> m.write32(a, v);
                }
                r.setReg32(X86CpuState.EDI, advance(r.reg32(X86CpuState.EDI), step));
            } else {
                long a = (s.segBase[sourceSegment] + mask(r.reg32(X86CpuState.ESI))) & 0xffffffffL;
                int v = switch (bits) {
                    case 8 -> m.read8(a);
                    case 16 -> m.read16(a);
                    default -> m.read32(a);
                };
                io.out(port, bits / 8, v);
                r.setReg32(X86CpuState.ESI, advance(r.reg32(X86CpuState.ESI), step));
            }
        }
    }
}
