package org.qemu.kvm.sys;

import static org.qemu.kvm.sys.KvmLayouts.offset;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** One vCPU: its file descriptor, its shared {@code kvm_run} area and the register ioctls. */
public final class KvmVcpu implements AutoCloseable {
    private static final long EXIT_REASON = offset(KvmLayouts.RUN_HEAD, "exit_reason");
    private static final long EXIT = offset(KvmLayouts.RUN_HEAD, "exit");

    private final int id;
    private final int fd;
    private final MemorySegment run;

    KvmVcpu(int id, int fd, MemorySegment run) {
        this.id = id;
        this.fd = fd;
        this.run = run;
    }

    public int id() {
        return id;
    }

    /** The whole {@code kvm_run} mapping (I/O data lives at {@code data_offset} inside it). */
    public MemorySegment runArea() {
        return run;
    }

    /** Enters the guest until the next exit; returns the exit reason. EINTR comes back as {@link KvmExit#INTR}. */
    public int run() throws ErrnoException {
        try {
            Libc.ioctl(fd, KvmIoctls.RUN, 0, "KVM_RUN");
        } catch (ErrnoException e) {
            if (e.errno() == Libc.EINTR || e.errno() == Libc.EAGAIN) {
                return KvmExit.INTR;
            }
            throw e;
        }
        return run.get(ValueLayout.JAVA_INT, EXIT_REASON);
    }

    public int exitReason() {
        return run.get(ValueLayout.JAVA_INT, EXIT_REASON);
    }

    // The exit union, read in place.
    public int ioDirection() {
        return Byte.toUnsignedInt(run.get(ValueLayout.JAVA_BYTE, EXIT + offset(KvmLayouts.RUN_IO, "direction")));
    }

    public int ioSize() {
        return Byte.toUnsignedInt(run.get(ValueLayout.JAVA_BYTE, EXIT + offset(KvmLayouts.RUN_IO, "size")));
    }

    public int ioPort() {
        return Short.toUnsignedInt(run.get(ValueLayout.JAVA_SHORT, EXIT + offset(KvmLayouts.RUN_IO, "port")));
    }

    public int ioCount() {
        return run.get(ValueLayout.JAVA_INT, EXIT + offset(KvmLayouts.RUN_IO, "count"));
    }

    public long ioDataOffset() {
        return run.get(ValueLayout.JAVA_LONG, EXIT + offset(KvmLayouts.RUN_IO, "data_offset"));
    }

    public long mmioAddress() {
        return run.get(ValueLayout.JAVA_LONG, EXIT + offset(KvmLayouts.RUN_MMIO, "phys_addr"));
    }

    public MemorySegment mmioData() {
        return run.asSlice(EXIT + offset(KvmLayouts.RUN_MMIO, "data"), 8);
    }

    public int mmioLength() {
        return run.get(ValueLayout.JAVA_INT, EXIT + offset(KvmLayouts.RUN_MMIO, "len"));
    }

    public boolean mmioIsWrite() {
        return run.get(ValueLayout.JAVA_BYTE, EXIT + offset(KvmLayouts.RUN_MMIO, "is_write")) != 0;
    }

    public int systemEventType() {
        return run.get(ValueLayout.JAVA_INT, EXIT + offset(KvmLayouts.RUN_SYSTEM_EVENT, "type"));
    }

    public int internalSuberror() {
        return run.get(ValueLayout.JAVA_INT, EXIT + offset(KvmLayouts.RUN_INTERNAL, "suberror"));
    }

    public long[] internalData() {
        int n = Math.min(16, run.get(ValueLayout.JAVA_INT, EXIT + offset(KvmLayouts.RUN_INTERNAL, "ndata")));
        long[] data = new long[Math.max(0, n)];
        for (int i = 0; i < data.length; i++) {
            data[i] = run.get(ValueLayout.JAVA_LONG, EXIT + offset(KvmLayouts.RUN_INTERNAL, "data") + 8L * i);
        }
        return data;
    }

    public long failEntryReason() {
        return run.get(ValueLayout.JAVA_LONG, EXIT + offset(KvmLayouts.RUN_FAIL_ENTRY, "hardware_entry_failure_reason"));
    }

    public long hardwareExitReason() {
        return run.get(ValueLayout.JAVA_LONG, EXIT + offset(KvmLayouts.RUN_HW, "hardware_exit_reason"));
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
        Libc.munmap(run);
        Libc.close(fd);
    }
}
