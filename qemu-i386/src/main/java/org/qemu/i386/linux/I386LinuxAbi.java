package org.qemu.i386.linux;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.WeakHashMap;

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
 * The i386 Linux ABI: int 0x80 with the number in eax and arguments in ebx, ecx, edx, esi,
 * edi, ebp; result in eax. A 4 GiB address space with the stack at the top, like a 32-bit
 * process on a 64-bit kernel; TLS through set_thread_area and %gs.
 */
public final class I386LinuxAbi implements LinuxAbi {
    private static final int EM_386 = 3;
    private static final int EM_486 = 6;
    /** One page above the stack holds the sigreturn trampolines (where the vsyscall page used to be). */
    private static final long TRAMPOLINE_PAGE = 0xffffe000L;
    private static final long STACK_TOP = TRAMPOLINE_PAGE;
    private static final int[] ARGUMENT_REGISTERS = {
        X86CpuState.EBX, X86CpuState.ECX, X86CpuState.EDX, X86CpuState.ESI, X86CpuState.EDI, X86CpuState.EBP,
    };

    private final I386StructLayouts structs = new I386StructLayouts();
    private final I386SignalFrames frames = new I386SignalFrames(this);
    /** Each CPU (thread) has its own TLS entries, as each Linux thread has its own GDT TLS slots. */
    private final Map<X86Cpu, TlsDescriptors> tls = new WeakHashMap<>();

    @Override
    public String name() {
        return "i386";
    }

    @Override
    public String unameMachine() {
        return "i686";
    }

    @Override
    public String platform() {
        return "i686";
    }

    @Override
    public ElfFile.Target elfTarget() {
        return new ElfFile.Target(false, ByteOrder.LITTLE_ENDIAN, EM_386, EM_486);
    }

    @Override
    public int wordSize() {
        return 4;
    }

    @Override
    public boolean bigEndian() {
        return false;
    }

    @Override
    public int addressBits() {
        return 32;
    }

    @Override
    public long stackTop() {
        return STACK_TOP;
    }

    @Override
    public long pieBase() {
        return 0x56555000L;
    }

    @Override
    public long mmapBottom() {
        return 0x10000L;
    }

    @Override
    public long hwcap() {
        return CpuidTable.LEAF1_EDX & 0xffffffffL;
    }

    @Override
    public String syscallName(int number) {
        return I386SyscallTable.name(number);
    }

    @Override
    public StructLayouts structs() {
        return structs;
    }

    @Override
    public SignalFrames signalFrames() {
        return frames;
    }

    long sigreturnTrampoline() {
        return TRAMPOLINE_PAGE;
    }

    long rtSigreturnTrampoline() {
        return TRAMPOLINE_PAGE + 16;
    }

    /** Maps the trampoline page: {@code pop eax; mov eax,119; int 0x80} and {@code mov eax,173; int 0x80}. */
    public void mapTrampolines(GuestMemory memory) {
        memory.map(TRAMPOLINE_PAGE, GuestMemory.PAGE_SIZE, GuestMemory.READ | GuestMemory.WRITE);
        byte[] sigreturn = {0x58, (byte) 0xb8, 119, 0, 0, 0, (byte) 0xcd, (byte) 0x80};
        byte[] rtSigreturn = {(byte) 0xb8, (byte) 173, 0, 0, 0, (byte) 0xcd, (byte) 0x80};
        memory.load(TRAMPOLINE_PAGE, sigreturn, 0, sigreturn.length);
        memory.load(TRAMPOLINE_PAGE + 16, rtSigreturn, 0, rtSigreturn.length);
        memory.protect(TRAMPOLINE_PAGE, GuestMemory.PAGE_SIZE, GuestMemory.READ | GuestMemory.EXEC);
    }

    @Override
    public GuestCpu newCpu(LinuxProcess process) {
        X86Cpu cpu = new X86Cpu(process.memory(), new X86CpuState());
        attachTls(cpu, new TlsDescriptors());
        return cpu;
    }

    private void attachTls(X86Cpu cpu, TlsDescriptors descriptors) {
        synchronized (tls) {
            tls.put(cpu, descriptors);
        }
        cpu.setSegmentResolver(descriptors);
    }

    private TlsDescriptors tlsOf(X86Cpu cpu) {
        synchronized (tls) {
            return tls.computeIfAbsent(cpu, c -> new TlsDescriptors());
        }
    }

    @Override
    public void startProcess(GuestCpu cpu, long entry, long stackPointer) {
        X86CpuState s = ((X86Cpu) cpu).state;
        java.util.Arrays.fill(s.regs, 0);
        s.setReg32(X86CpuState.ESP, (int) stackPointer);
        s.setEip((int) entry);
        s.setEflags(X86CpuState.IF);
    }

    @Override
    public void setStackPointer(GuestCpu cpu, long stackPointer) {
        ((X86Cpu) cpu).state.setReg32(X86CpuState.ESP, (int) stackPointer);
    }

    @Override
    public void prepareAddressSpace(LinuxProcess process) {
        mapTrampolines(process.memory());
    }

    @Override
    public int syscallNumber(GuestCpu cpu) {
        return ((X86Cpu) cpu).state.reg32(X86CpuState.EAX);
    }

    @Override
    public long syscallArgument(GuestCpu cpu, int index) {
        return ((X86Cpu) cpu).state.reg32(ARGUMENT_REGISTERS[index]) & 0xffffffffL;
    }

    @Override
    public void setSyscallResult(GuestCpu cpu, long result) {
        ((X86Cpu) cpu).state.setReg32(X86CpuState.EAX, (int) result);
    }

    @Override
    public void rewindSyscall(GuestCpu cpu) {
        X86CpuState s = ((X86Cpu) cpu).state;
        s.setEip(s.eip() - 2);
    }

    @Override
    public long[] cloneArguments(long[] r) {
        return new long[] {r[0], r[1], r[2], r[3], r[4]};
    }

    @Override
    public GuestCpu cloneCpu(GuestCpu parent, LinuxProcess process, long newStack) {
        X86Cpu p = (X86Cpu) parent;
        X86Cpu child = p.copyFor(process.memory());
        attachTls(child, tlsOf(p).copy());
        if (newStack != 0) {
            child.state.setReg32(X86CpuState.ESP, (int) newStack);
        }
        child.state.setReg32(X86CpuState.EAX, 0);
        return child;
    }

    @Override
    public long setTls(LinuxThread thread, long userDesc) {
        X86Cpu cpu = (X86Cpu) thread.cpu();
        long r = tlsOf(cpu).set(thread.process().data(), userDesc);
        if (r == 0) {
            reloadTlsSegments(cpu);
        }
        return r;
    }

    /** After a descriptor changed, segment registers holding its selector see the new base (as a reload would). */
    private void reloadTlsSegments(X86Cpu cpu) {
        for (int seg : new int[] {X86CpuState.GS, X86CpuState.FS}) {
            int selector = cpu.state.segSelector[seg];
            if (selector != 0) {
                long base = tlsOf(cpu).baseOf(selector);
                if (base >= 0) {
                    cpu.state.segBase[seg] = base;
                }
            }
        }
    }

    @Override
    public Long archSyscall(LinuxThread thread, String name, long[] args) {
        GuestData d = thread.process().data();
        return switch (name) {
            case "set_thread_area" -> setTls(thread, args[0]);
            case "get_thread_area" -> tlsOf((X86Cpu) thread.cpu()).get(d, args[0]);
            // i386's old mmap takes one pointer to its six arguments (struct mmap_arg_struct).
            case "mmap" -> thread.process().syscalls().memory().mmap(d.u32(args[0]), d.u32(args[0] + 4),
                    d.s32(args[0] + 8), d.s32(args[0] + 12), d.s32(args[0] + 16), d.u32(args[0] + 20));
            case "modify_ldt", "vm86", "vm86old", "iopl", "ioperm" -> (long) -Errno.ENOSYS;
            default -> null;
        };
    }

    @Override
    public byte[] saveCpu(GuestCpu cpu) {
        X86Cpu x = (X86Cpu) cpu;
        X86CpuState s = x.state;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            for (int r = 0; r < 8; r++) {
                out.writeInt(s.reg32(r));
            }
            out.writeInt(s.eip());
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
            tlsOf(x).writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @Override
    public void restoreCpu(GuestCpu cpu, byte[] state) {
        X86Cpu x = (X86Cpu) cpu;
        X86CpuState s = x.state;
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
            for (int i = 0; i < 8; i++) {
                s.setReg32(i, in.readInt());
            }
            s.setEip(in.readInt());
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
            tlsOf(x).readFrom(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
