package org.qemu.x86_64.linux;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;

import org.qemu.common.exec.GuestCpu;
import org.qemu.common.linux.Errno;
import org.qemu.common.linux.GuestData;
import org.qemu.common.linux.LinuxAbi;
import org.qemu.common.linux.LinuxProcess;
import org.qemu.common.linux.LinuxThread;
import org.qemu.common.linux.elf.ElfFile;
import org.qemu.common.linux.signal.SignalFrames;
import org.qemu.common.linux.syscall.StructLayouts;
import org.qemu.common.memory.GuestMemory;
import org.qemu.i386.cpu.CpuidTable;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;

/**
 * The x86-64 Linux ABI: {@code syscall} with the number in rax and arguments in rdi, rsi, rdx,
 * r10, r8, r9; result in rax. TLS is the FS base, set by arch_prctl or clone's CLONE_SETTLS.
 *
 * <p>The guest address space is 2^35 bytes (32 GiB), not the 128 TiB of a real x86-64 process:
 * {@link GuestMemory} keeps one protection byte per page in a Java array that the JVM zeroes at
 * start-up, so the size of the space is resident memory and start-up time (8 MiB here; each MiB
 * measured at about 10 ms on this machine under load, page faults being dear under its
 * hypervisor). Everything Linux places near the top of 47-bit space is placed near the top of
 * this one instead (stack, mmap), PIEs at 0x555554000 (Linux: 0x555555554000); a guest pointer
 * at or above 2^35 faults with SIGSEGV, except a call to one of the three entry points of the
 * legacy vsyscall page (0xffffffffff600000), which {@link VsyscallPage} emulates as Linux does.
 * There is no vDSO (no AT_SYSINFO_EHDR): glibc then makes real system calls for the time.
 */
public final class X86_64LinuxAbi implements LinuxAbi {
    static final int EM_X86_64 = 62;
    static final int ADDRESS_BITS = 35;
    /** The page under the top of the space stays unmapped, so a stack overrun upward faults. */
    static final long STACK_TOP = (1L << ADDRESS_BITS) - GuestMemory.PAGE_SIZE;
    static final long PIE_BASE = 0x555554000L;
    static final long MMAP_BOTTOM = 0x10000L;
    /** arch_prctl codes (asm/prctl.h). */
    static final int ARCH_SET_GS = 0x1001, ARCH_SET_FS = 0x1002, ARCH_GET_FS = 0x1003, ARCH_GET_GS = 0x1004;
    private static final int R8 = 8, R9 = 9, R10 = 10;
    private static final int[] ARGUMENT_REGISTERS = {
        X86CpuState.EDI, X86CpuState.ESI, X86CpuState.EDX, R10, R8, R9,
    };

    private final X86_64StructLayouts structs = new X86_64StructLayouts();
    private final X86_64SignalFrames frames = new X86_64SignalFrames();

    @Override
    public String name() {
        return "x86_64";
    }

    @Override
    public String unameMachine() {
        return "x86_64";
    }

    @Override
    public String platform() {
        return "x86_64";
    }

    @Override
    public ElfFile.Target elfTarget() {
        return new ElfFile.Target(true, ByteOrder.LITTLE_ENDIAN, EM_X86_64);
    }

    @Override
    public int wordSize() {
        return 8;
    }

    @Override
    public boolean bigEndian() {
        return false;
    }

    @Override
    public int addressBits() {
        return ADDRESS_BITS;
    }

    @Override
    public long stackTop() {
        return STACK_TOP;
    }

    @Override
    public long pieBase() {
        return PIE_BASE;
    }

    @Override
    public long mmapBottom() {
        return MMAP_BOTTOM;
    }

    @Override
    public long hwcap() {
        return CpuidTable.LEAF1_EDX & 0xffffffffL;
    }

    @Override
    public String syscallName(int number) {
        return X86_64SyscallTable.name(number);
    }

    @Override
    public StructLayouts structs() {
        return structs;
    }

    @Override
    public SignalFrames signalFrames() {
        return frames;
    }

    @Override
    public boolean handleTrap(LinuxThread thread, org.qemu.common.exec.GuestTrap trap) {
        return VsyscallPage.emulate(thread, trap);
    }

    @Override
    public GuestCpu newCpu(LinuxProcess process) {
        return LongModeCpus.create(process.memory());
    }

    @Override
    public void startProcess(GuestCpu cpu, long entry, long stackPointer) {
        X86CpuState s = state(cpu);
        java.util.Arrays.fill(s.regs, 0);
        s.regs[X86CpuState.ESP] = stackPointer;
        s.rip = entry;
        s.setEflags(X86CpuState.IF);
        // what a 64-bit Linux process starts with: the flat code and stack selectors, null in the
        // others (the CPU ignores the DS/ES bases in 64-bit code; FS and GS get their bases from
        // arch_prctl), so `mov %ds, %eax` reads 0 as natively
        java.util.Arrays.fill(s.segSelector, 0);
        s.segSelector[X86CpuState.CS] = X86_64SignalFrames.USER_CS;
        s.segSelector[X86CpuState.SS] = X86_64SignalFrames.USER_SS;
    }

    @Override
    public void setStackPointer(GuestCpu cpu, long stackPointer) {
        state(cpu).regs[X86CpuState.ESP] = stackPointer;
    }

    @Override
    public int syscallNumber(GuestCpu cpu) {
        long rax = state(cpu).regs[X86CpuState.EAX];
        // The kernel compares the full register: a number with high bits set is no call at all.
        return rax == (int) rax ? (int) rax : -1;
    }

    @Override
    public long syscallArgument(GuestCpu cpu, int index) {
        return state(cpu).regs[ARGUMENT_REGISTERS[index]];
    }

    @Override
    public void setSyscallResult(GuestCpu cpu, long result) {
        state(cpu).regs[X86CpuState.EAX] = result;
    }

    @Override
    public void rewindSyscall(GuestCpu cpu) {
        state(cpu).rip -= 2;
    }

    /** x86-64 clone(flags, newsp, parent_tid, child_tid, tls): tls and child_tid swap places against i386. */
    @Override
    public long[] cloneArguments(long[] r) {
        return new long[] {r[0], r[1], r[2], r[4], r[3]};
    }

    @Override
    public GuestCpu cloneCpu(GuestCpu parent, LinuxProcess process, long newStack) {
        X86Cpu child = LongModeCpus.copy((X86Cpu) parent, process.memory());
        if (newStack != 0) {
            child.state.regs[X86CpuState.ESP] = newStack;
        }
        child.state.regs[X86CpuState.EAX] = 0;
        return child;
    }

    /** CLONE_SETTLS on x86-64 is the new thread's FS base. */
    @Override
    public long setTls(LinuxThread thread, long tls) {
        if (!canonicalUserAddress(tls)) {
            return -Errno.EPERM;
        }
        state(thread.cpu()).segBase[X86CpuState.FS] = tls;
        return 0;
    }

    @Override
    public Long archSyscall(LinuxThread thread, String name, long[] args) {
        return switch (name) {
            case "arch_prctl" -> archPrctl(thread, (int) args[0], args[1]);
            // 64-bit programs keep TLS in the FS base; these are the i386 compatibility calls.
            case "set_thread_area", "get_thread_area", "modify_ldt" -> (long) -Errno.ENOSYS;
            case "iopl", "ioperm" -> (long) -Errno.EPERM;
            default -> null;
        };
    }

    private long archPrctl(LinuxThread thread, int code, long address) {
        X86CpuState s = state(thread.cpu());
        GuestData d = thread.process().data();
        return switch (code) {
            case ARCH_SET_FS, ARCH_SET_GS -> {
                if (!canonicalUserAddress(address)) {
                    yield -Errno.EPERM;
                }
                s.segBase[code == ARCH_SET_FS ? X86CpuState.FS : X86CpuState.GS] = address;
                yield 0;
            }
            case ARCH_GET_FS, ARCH_GET_GS -> {
                d.put64(address, s.segBase[code == ARCH_GET_FS ? X86CpuState.FS : X86CpuState.GS]);
                yield 0;
            }
            default -> -Errno.EINVAL;
        };
    }

    /** A base the kernel accepts: below the end of the 47-bit user half (TASK_SIZE_MAX). */
    private static boolean canonicalUserAddress(long address) {
        return address >= 0 && address < (1L << 47) - GuestMemory.PAGE_SIZE;
    }

    @Override
    public byte[] saveCpu(GuestCpu cpu) {
        X86CpuState s = state(cpu);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            for (long r : s.regs) {
                out.writeLong(r);
            }
            out.writeLong(s.rip);
            out.writeInt(s.eflags());
            for (int i = 0; i < 6; i++) {
                out.writeInt(s.segSelector[i]);
                out.writeLong(s.segBase[i]);
            }
            s.fpu.writeTo(out);
            for (long v : s.xmm) {
                out.writeLong(v);
            }
            out.writeInt(s.mxcsr);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @Override
    public void restoreCpu(GuestCpu cpu, byte[] state) {
        X86CpuState s = state(cpu);
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
            for (int i = 0; i < s.regs.length; i++) {
                s.regs[i] = in.readLong();
            }
            s.rip = in.readLong();
            s.setEflags(in.readInt());
            for (int i = 0; i < 6; i++) {
                s.segSelector[i] = in.readInt();
                s.segBase[i] = in.readLong();
            }
            s.fpu.readFrom(in);
            for (int i = 0; i < s.xmm.length; i++) {
                s.xmm[i] = in.readLong();
            }
            s.mxcsr = in.readInt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static X86CpuState state(GuestCpu cpu) {
        return ((X86Cpu) cpu).state;
    }
}
