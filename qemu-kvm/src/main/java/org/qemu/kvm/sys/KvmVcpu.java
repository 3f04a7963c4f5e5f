package org.qemu.kvm.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** One vCPU: its file descriptor, its shared {@code kvm_run} area and the register ioctls. */
public final class KvmVcpu implements AutoCloseable {
    private final int id;
    private final int fd;
    private final MemorySegment mapping;
    private final KvmRun run;
    private final MemorySegment runCallState = Libc.allocateCallState(Arena.ofAuto());

    KvmVcpu(int id, int fd, MemorySegment mapping) {
        this.id = id;
        this.fd = fd;
        this.mapping = mapping;
        this.run = new KvmRun(mapping);
    }

    public int id() {
        return id;
    }

    /** The shared {@code kvm_run} area, valid after {@link #run()} returns. */
    public KvmRun runArea() {
        return run;
    }

    /** Enters the guest until the next exit; returns the exit reason. EINTR comes back as {@link KvmExit#INTR}. */
    public int run() throws ErrnoException {
        try {
            Libc.ioctl(runCallState, fd, KvmIoctls.RUN, 0, "KVM_RUN");
        } catch (ErrnoException e) {
            if (e.errno() == Libc.EINTR || e.errno() == Libc.EAGAIN) {
                return KvmExit.INTR;
            }
            throw e;
        }
        return run.exitReason();
    }

    /** Makes {@code kick} able to end this vCPU's KVM_RUN: call on the vCPU thread before it first runs. */
    public ThreadKick enableKicks() throws ErrnoException {
        ThreadKick kick = ThreadKick.forCurrentThread();
        try (Arena arena = Arena.ofConfined()) {
            set(KvmIoctls.SET_SIGNAL_MASK, ThreadKick.kvmRunSignalMask(arena), "KVM_SET_SIGNAL_MASK");
        }
        return kick;
    }

    /** Copies a structure out of the vCPU with a GET ioctl. */
    public void get(long request, MemorySegment into, String name) throws ErrnoException {
        Libc.ioctl(fd, request, into, name);
    }

    /** Copies a structure into the vCPU with a SET ioctl. */
    public void set(long request, MemorySegment from, String name) throws ErrnoException {
        Libc.ioctl(fd, request, from, name);
    }

    public MemorySegment getRegs(Arena arena) throws ErrnoException {
        MemorySegment regs = arena.allocate(KvmLayouts.REGS);
        get(KvmIoctls.GET_REGS, regs, "KVM_GET_REGS");
        return regs;
    }

    public MemorySegment getSregs(Arena arena) throws ErrnoException {
        MemorySegment sregs = arena.allocate(KvmLayouts.SREGS);
        get(KvmIoctls.GET_SREGS, sregs, "KVM_GET_SREGS");
        return sregs;
    }

    @Override
    public void close() {
        Libc.munmap(mapping);
        Libc.close(fd);
    }
}
