package org.qemu.i386.gdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qemu.common.gdbstub.DebugRegisters;
import org.qemu.common.gdbstub.TargetDescription;
import org.qemu.common.memory.GuestMemory;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;

/**
 * GDB's i386 and x86-64 numbering over the CPU's registers. Oracles: the register encodings of the
 * Intel SDM (rax=0 rcx=1 rdx=2 rbx=3 rsp=4 rbp=5 rsi=6 rdi=7) and GDB's amd64 register table
 * (rax rbx rcx rdx rsi rdi rbp rsp r8.., 536 bytes in the g packet, as `maint print registers`
 * shows: checked against gdb in TargetDescriptionGdbTest).
 */
class X86DebugSupportTest {
    private final GuestMemory memory = new GuestMemory(20);
    private final X86Cpu cpu = new X86Cpu(memory, new X86CpuState());
    private final X86DebugSupport support = X86DebugSupport.longMode();

    @AfterEach
    void close() {
        memory.close();
    }

    private static long le64(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    @Test
    void gdbsRegisterNumbersReachTheRightRegisters() {
        for (int encoding = 0; encoding < 16; encoding++) {
            cpu.state.regs[encoding] = 0x1111_0000_0000_0000L * (encoding + 1) + encoding;
        }
        cpu.state.rip = 0x7fff_1234_5678L;
        DebugRegisters regs = support.registers(cpu);
        assertThat(le64(regs.read(0))).isEqualTo(cpu.state.regs[0]); // rax
        assertThat(le64(regs.read(1))).isEqualTo(cpu.state.regs[3]); // rbx
        assertThat(le64(regs.read(2))).isEqualTo(cpu.state.regs[1]); // rcx
        assertThat(le64(regs.read(3))).isEqualTo(cpu.state.regs[2]); // rdx
        assertThat(le64(regs.read(4))).isEqualTo(cpu.state.regs[6]); // rsi
        assertThat(le64(regs.read(5))).isEqualTo(cpu.state.regs[7]); // rdi
        assertThat(le64(regs.read(6))).isEqualTo(cpu.state.regs[5]); // rbp
        assertThat(le64(regs.read(7))).isEqualTo(cpu.state.regs[4]); // rsp
        assertThat(le64(regs.read(15))).isEqualTo(cpu.state.regs[15]); // r15
        assertThat(le64(regs.read(16))).isEqualTo(0x7fff_1234_5678L);
        assertThat(regs.programCounter()).isEqualTo(0x7fff_1234_5678L);
    }

    @Test
    void everyRegisterHasItsDescribedSizeAndWritesGoBack() {
        DebugRegisters regs = support.registers(cpu);
        int total = 0;
        for (TargetDescription.Register r : support.description().registers()) {
            byte[] value = regs.read(r.regnum());
            assertThat(value).as(r.name()).hasSize(r.bytes());
            total += value.length;
        }
        assertThat(total).isEqualTo(536);
        byte[] rsp = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0x7ffd_0000_1000L).array();
        assertThat(regs.write(7, rsp)).isTrue();
        assertThat(cpu.state.regs[4]).isEqualTo(0x7ffd_0000_1000L);
        assertThat(regs.write(7, new byte[4])).as("a 32-bit value for a 64-bit register").isFalse();
        byte[] xmm15 = new byte[16];
        xmm15[0] = 1;
        xmm15[15] = (byte) 0x80;
        assertThat(regs.write(55, xmm15)).isTrue();
        assertThat(cpu.state.xmm[30]).isEqualTo(1L);
        assertThat(cpu.state.xmm[31]).isEqualTo(0x8000_0000_0000_0000L);
    }

    @Test
    void i386FileHasThe32BitLayout() {
        X86DebugSupport i386 = new X86DebugSupport();
        for (int encoding = 0; encoding < 8; encoding++) {
            cpu.state.setReg32(encoding, 0x1000 * (encoding + 1));
        }
        cpu.state.setEip(0x0804_8000);
        cpu.state.mxcsr = 0x1f80;
        DebugRegisters regs = i386.registers(cpu);
        int total = 0;
        for (TargetDescription.Register r : i386.description().registers()) {
            byte[] value = regs.read(r.regnum());
            assertThat(value).as(r.name()).hasSize(r.bytes());
            total += value.length;
        }
        // GDB's i386 g packet: 8 general + eip + eflags + 6 segments (4 bytes each), st0-7 (10), 8 x87 control (4), xmm0-7 (16), mxcsr
        assertThat(total).isEqualTo(16 * 4 + 8 * 10 + 8 * 4 + 8 * 16 + 4);
        assertThat(ByteBuffer.wrap(regs.read(3)).order(ByteOrder.LITTLE_ENDIAN).getInt()).isEqualTo(0x4000); // ebx
        assertThat(ByteBuffer.wrap(regs.read(8)).order(ByteOrder.LITTLE_ENDIAN).getInt()).isEqualTo(0x0804_8000);
        assertThat(ByteBuffer.wrap(regs.read(40)).order(ByteOrder.LITTLE_ENDIAN).getInt()).isEqualTo(0x1f80);
        assertThat(regs.programCounter()).isEqualTo(0x0804_8000L);
        assertThat(regs.write(4, new byte[] {0x10, 0, 0, (byte) 0xc0})).isTrue(); // esp
        assertThat(cpu.state.reg32(4)).isEqualTo(0xc000_0010);
        assertThat(cpu.state.regs[4]).as("a 32-bit write zero-extends").isEqualTo(0xc000_0010L);
    }
}
