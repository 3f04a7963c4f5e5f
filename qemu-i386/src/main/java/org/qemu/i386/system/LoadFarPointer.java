package org.qemu.i386.system;

import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.cpu.X86OpBase;
import org.qemu.i386.translate.Operand;

/**
 * lds, les, lss, lfs, lgs (Intel SDM vol. 2, "LDS/LES/LFS/LGS/LSS"): an offset and a selector
 * from memory; the segment register is loaded with its checks first, so a refused selector
 * leaves the general register as it was. Linux's espfix return path uses lss.
 */
final class LoadFarPointer extends X86OpBase {
    private final int segment;
    private final int register;
    private final Operand.Memory pointer;
    private final int bits;

    LoadFarPointer(int segment, int register, Operand.Memory pointer, int bits) {
        this.segment = segment;
        this.register = register;
        this.pointer = pointer;
        this.bits = bits;
    }

    @Override
    public void exec(X86Cpu cpu) {
        int offset = bits == 16 ? cpu.memory.read16(pointer.address(cpu)) : cpu.memory.read32(pointer.address(cpu));
        int selector = cpu.memory.read16(pointer.address(cpu, bits / 8));
        cpu.loadSegment(segment, selector);
        Operand.register(bits, register).set(cpu, offset);
    }
}
