package org.qemu.ppc.linux;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import org.qemu.common.exec.GuestCpu;
import org.qemu.common.linux.LinuxAbi;
import org.qemu.common.linux.LinuxProcess;
import org.qemu.common.linux.LinuxThread;
import org.qemu.common.linux.elf.AuxvType;
import org.qemu.common.linux.elf.ElfFile;
import org.qemu.common.linux.elf.InitialStack;
import org.qemu.common.linux.signal.SignalFrames;
import org.qemu.common.linux.syscall.StructLayouts;
import org.qemu.common.memory.GuestMemory;
import org.qemu.ppc.cpu.LoadStoreOps;
import org.qemu.ppc.cpu.PpcCpuState;
import org.qemu.ppc.translate.PpcCodeCache;
import org.qemu.ppc.translate.PpcCpu;

/**
 * The 32-bit PowerPC Linux ABI: {@code sc} with the number in r0, arguments in r3-r8, the
 * result in r3 and errors flagged by CR0[SO] with a positive errno in r3. Where ppc32 passes
 * things differently from the i386 order the shared dispatcher expects (64-bit arguments in
 * aligned register pairs, high word first; O_DIRECTORY and friends, MAP_NORESERVE and
 * MAP_LOCKED at other bit positions), the arguments are rearranged here on the way in.
 */
public final class PpcLinuxAbi implements LinuxAbi {
    public static final int EM_PPC = 20;
    /** AT_HWCAP bits from asm/cputable.h. */
    public static final long PPC_FEATURE_32 = 0x80000000L;
    public static final long PPC_FEATURE_HAS_ALTIVEC = 0x10000000L;
    public static final long PPC_FEATURE_HAS_FPU = 0x08000000L;
    public static final long PPC_FEATURE_HAS_MMU = 0x04000000L;

    /** Top of the initial stack; Linux's ppc32 TASK_SIZE is 0xC0000000 and we keep a gap above the stack. */
    public static final long STACK_TOP = 0xbfff0000L;
    /** One read+execute page holding the sigreturn trampolines (Linux uses the vDSO for these). */
    public static final long TRAMPOLINE_PAGE = 0xbffff000L;
    static final int SIGRETURN_OFFSET = 0;
    static final int RT_SIGRETURN_OFFSET = 8;
    static final int NR_SIGRETURN = 119;
    static final int NR_RT_SIGRETURN = 172;

    /** AT_* entries PowerPC adds (asm/auxvec.h). */
    static final int AT_DCACHEBSIZE = 19;
    static final int AT_ICACHEBSIZE = 20;
    static final int AT_UCACHEBSIZE = 21;
    static final int AT_IGNOREPPC = 22;

    /** CR0[SO] in the CR word: set on a failed system call. */
    private static final int CR0_SO = 0x10000000;

    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;

    private final PpcStructLayouts structs = new PpcStructLayouts();
    private final PpcSignalFrames frames = new PpcSignalFrames(TRAMPOLINE_PAGE);
    private volatile PpcCodeCache cache;

    @Override
    public String name() {
        return "ppc";
    }

    @Override
    public String unameMachine() {
        return "ppc";
    }

    @Override
    public String platform() {
        return "ppc750";
    }

    @Override
    public ElfFile.Target elfTarget() {
        return new ElfFile.Target(false, ByteOrder.BIG_ENDIAN, EM_PPC);
    }

    @Override
    public int wordSize() {
        return 4;
    }

    @Override
    public boolean bigEndian() {
        return true;
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
        return 0x00400000L;
    }

    @Override
    public long mmapBottom() {
        return 0x00100000L;
    }

    /** A PowerPC 750: 32-bit, FPU, MMU; no AltiVec, so glibc never picks its vector routines. */
    @Override
    public long hwcap() {
        return PPC_FEATURE_32 | PPC_FEATURE_HAS_FPU | PPC_FEATURE_HAS_MMU;
    }

    @Override
    public String syscallName(int number) {
        return PpcSyscallTable.name(number);
    }

    @Override
    public StructLayouts structs() {
        return structs;
    }

    @Override
    public SignalFrames signalFrames() {
        return frames;
    }

    /** Linux's ARCH_DLINFO for ppc32: two AT_IGNOREPPC pads, then the cache block sizes glibc's memset/dcbz relies on. */
    @Override
    public List<InitialStack.AuxEntry> architectureAuxv() {
        return List.of(
                new InitialStack.AuxEntry(AT_IGNOREPPC, AT_IGNOREPPC),
                new InitialStack.AuxEntry(AT_IGNOREPPC, AT_IGNOREPPC),
                new InitialStack.AuxEntry(AT_DCACHEBSIZE, LoadStoreOps.CACHE_LINE),
                new InitialStack.AuxEntry(AT_ICACHEBSIZE, LoadStoreOps.CACHE_LINE),
                new InitialStack.AuxEntry(AT_UCACHEBSIZE, 0),
                new InitialStack.AuxEntry(AuxvType.AT_HWCAP2, 0));
    }

    /** The signal return trampolines: "li r0,119; sc" (sigreturn) and "li r0,172; sc" (rt_sigreturn). */
    @Override
    public void prepareAddressSpace(LinuxProcess process) {
        GuestMemory memory = process.memory();
        ByteBuffer code = ByteBuffer.allocate(16);
        code.putInt(0x38000000 | NR_SIGRETURN).putInt(0x44000002);
        code.putInt(0x38000000 | NR_RT_SIGRETURN).putInt(0x44000002);
        memory.map(TRAMPOLINE_PAGE, GuestMemory.PAGE_SIZE, GuestMemory.READ | GuestMemory.WRITE);
        memory.load(TRAMPOLINE_PAGE, code.array(), 0, 16);
        memory.protect(TRAMPOLINE_PAGE, GuestMemory.PAGE_SIZE, GuestMemory.READ | GuestMemory.EXEC);
    }

    @Override
    public void setStackPointer(GuestCpu cpu, long stackPointer) {
        state(cpu).gpr[1] = (int) stackPointer;
    }

    private synchronized PpcCodeCache cacheFor(LinuxProcess process) {
        if (cache == null || cache.memory() != process.memory()) {
            cache = new PpcCodeCache(process.memory());
        }
        return cache;
    }

    @Override
    public GuestCpu newCpu(LinuxProcess process) {
        return new PpcCpu(new PpcCpuState(process.memory()), cacheFor(process));
    }

    /** Linux's start_thread: every register zero but r1 (the stack pointer); argc sits at 0(r1). */
    @Override
    public void startProcess(GuestCpu cpu, long entry, long stackPointer) {
        PpcCpuState s = state(cpu);
        java.util.Arrays.fill(s.gpr, 0);
        s.gpr[1] = (int) stackPointer;
        s.cr = 0;
        s.lr = 0;
        s.ctr = 0;
        s.setXer(0);
        s.fpscr = 0;
        s.pc = (int) entry;
    }

    private static PpcCpuState state(GuestCpu cpu) {
        return ((PpcCpu) cpu).state();
    }

    @Override
    public int syscallNumber(GuestCpu cpu) {
        PpcCpuState s = state(cpu);
        s.syscallNumber = s.gpr[0];
        s.syscallOriginalR3 = s.gpr[3];
        return s.gpr[0];
    }

    @Override
    public long syscallArgument(GuestCpu cpu, int index) {
        PpcCpuState s = state(cpu);
        String name = PpcSyscallTable.name(s.syscallNumber);
        int register = 3 + index;
        if (name != null) {
            switch (name) {
                // 64-bit offsets: ppc32 passes (pad,) high, low in an aligned register pair; the dispatcher wants low, high.
                case "pread64", "pwrite64" -> register = index == 3 ? 8 : index == 4 ? 7 : register;
                case "truncate64", "ftruncate64" -> register = index == 1 ? 6 : index == 2 ? 5 : register;
                default -> { }
            }
            long raw = Integer.toUnsignedLong(s.gpr[register]);
            switch (name) {
                case "open" -> {
                    return index == 1 ? openFlagsToHost(raw) : raw;
                }
                case "openat" -> {
                    return index == 2 ? openFlagsToHost(raw) : raw;
                }
                case "fcntl", "fcntl64" -> {
                    return index == 2 && s.gpr[4] == F_SETFL ? openFlagsToHost(raw) : raw;
                }
                case "mmap", "mmap2" -> {
                    return index == 3 ? mapFlagsToHost(raw) : raw;
                }
                default -> {
                    return raw;
                }
            }
        }
        return register <= 8 ? Integer.toUnsignedLong(s.gpr[register]) : 0;
    }

    /** ppc's O_DIRECTORY 040000, O_NOFOLLOW 0100000, O_LARGEFILE 0200000, O_DIRECT 0400000 (asm/fcntl.h) to x86's. */
    static long openFlagsToHost(long f) {
        long common = f & ~0740000L;
        if ((f & 040000) != 0) {
            common |= 0200000;
        }
        if ((f & 0100000) != 0) {
            common |= 0400000;
        }
        if ((f & 0200000) != 0) {
            common |= 0100000;
        }
        if ((f & 0400000) != 0) {
            common |= 040000;
        }
        return common;
    }

    static long openFlagsToGuest(long f) {
        long common = f & ~0740000L;
        if ((f & 0200000) != 0) {
            common |= 040000;
        }
        if ((f & 0400000) != 0) {
            common |= 0100000;
        }
        if ((f & 0100000) != 0) {
            common |= 0200000;
        }
        if ((f & 040000) != 0) {
            common |= 0400000;
        }
        return common;
    }

    /** ppc's MAP_NORESERVE 0x40 and MAP_LOCKED 0x80 (asm/mman.h) to x86's 0x4000 and 0x2000; x86's 0x40 is MAP_32BIT. */
    static long mapFlagsToHost(long f) {
        long common = f & ~0xc0L;
        if ((f & 0x40) != 0) {
            common |= 0x4000;
        }
        if ((f & 0x80) != 0) {
            common |= 0x2000;
        }
        return common;
    }

    @Override
    public void setSyscallResult(GuestCpu cpu, long result) {
        PpcCpuState s = state(cpu);
        if (result < 0 && result >= -4095) {
            s.gpr[3] = (int) -result;
            s.cr |= CR0_SO;
            return;
        }
        String name = PpcSyscallTable.name(s.syscallNumber);
        if (("fcntl".equals(name) || "fcntl64".equals(name)) && s.gpr[4] == F_GETFL) {
            result = openFlagsToGuest(result);
        }
        s.gpr[3] = (int) result;
        s.cr &= ~CR0_SO;
    }

    @Override
    public void rewindSyscall(GuestCpu cpu) {
        PpcCpuState s = state(cpu);
        s.gpr[3] = s.syscallOriginalR3;
        s.pc -= 4;
    }

    @Override
    public GuestCpu cloneCpu(GuestCpu parent, LinuxProcess process, long newStack) {
        PpcCpu p = (PpcCpu) parent;
        PpcCpuState child = p.state().copy(process.memory());
        if (newStack != 0) {
            child.gpr[1] = (int) newStack;
        }
        child.gpr[3] = 0;
        child.cr &= ~CR0_SO;
        PpcCpu thread = new PpcCpu(child, p.cache().memory() == process.memory() ? p.cache() : cacheFor(process));
        thread.setInstructionHook(p.instructionHook());
        return thread;
    }

    /** clone(flags, newsp, parent_tidptr, tls, child_tidptr): already the shared order. */
    @Override
    public long[] cloneArguments(long[] registers) {
        return new long[] {registers[0], registers[1], registers[2], registers[3], registers[4]};
    }

    /** CLONE_SETTLS: the thread pointer is r2 on ppc32. */
    @Override
    public long setTls(LinuxThread thread, long tlsArgument) {
        state(thread.cpu()).gpr[2] = (int) tlsArgument;
        return 0;
    }

    @Override
    public Long archSyscall(LinuxThread thread, String name, long[] args) {
        if ("ioctl".equals(name)) {
            return PpcTerminalIoctls.ioctl(thread.process().data(), (int) args[0], (int) args[1], args[2]);
        }
        return null;
    }

    @Override
    public byte[] saveCpu(GuestCpu cpu) {
        PpcCpuState s = state(cpu);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            for (int r : s.gpr) {
                out.writeInt(r);
            }
            for (long f : s.fpr) {
                out.writeLong(f);
            }
            out.writeInt(s.cr);
            out.writeInt(s.lr);
            out.writeInt(s.ctr);
            out.writeInt(s.xer());
            out.writeInt(s.fpscr);
            out.writeInt(s.vrsave);
            out.writeInt(s.pc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @Override
    public void restoreCpu(GuestCpu cpu, byte[] saved) {
        PpcCpuState s = state(cpu);
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(saved))) {
            for (int i = 0; i < 32; i++) {
                s.gpr[i] = in.readInt();
            }
            for (int i = 0; i < 32; i++) {
                s.fpr[i] = in.readLong();
            }
            s.cr = in.readInt();
            s.lr = in.readInt();
            s.ctr = in.readInt();
            s.setXer(in.readInt());
            s.fpscr = in.readInt();
            s.vrsave = in.readInt();
            s.pc = in.readInt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * PowerPC numbers six socket options differently (asm/socket.h: SO_RCVLOWAT 16, SO_SNDLOWAT
     * 17, SO_RCVTIMEO_OLD 18, SO_SNDTIMEO_OLD 19, SO_PASSCRED 20, SO_PEERCRED 21; the generic
     * numbers are 18, 19, 20, 21, 16, 17).
     */
    @Override
    public int hostSocketOption(int name) {
        return switch (name) {
            case 16, 17, 18, 19 -> name + 2;
            case 20, 21 -> name - 4;
            default -> name;
        };
    }
}
