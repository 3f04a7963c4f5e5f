package org.qemu.kvm.sys;

import static org.qemu.kvm.sys.KvmLayouts.offset;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A vCPU's shared {@code struct kvm_run}: the exit reason and the exit union, read in place.
 * I/O data lives inside the same mapping at {@code io.data_offset}.
 */
public final class KvmRun {
    private static final long EXIT_REASON = offset(KvmLayouts.RUN_HEAD, "exit_reason");
    private static final long EXIT = offset(KvmLayouts.RUN_HEAD, "exit");
    private static final long IO_DIRECTION = EXIT + offset(KvmLayouts.RUN_IO, "direction");
    private static final long IO_SIZE = EXIT + offset(KvmLayouts.RUN_IO, "size");
    private static final long IO_PORT = EXIT + offset(KvmLayouts.RUN_IO, "port");
    private static final long IO_COUNT = EXIT + offset(KvmLayouts.RUN_IO, "count");
    private static final long IO_DATA_OFFSET = EXIT + offset(KvmLayouts.RUN_IO, "data_offset");
    private static final long MMIO_ADDRESS = EXIT + offset(KvmLayouts.RUN_MMIO, "phys_addr");
    private static final long MMIO_DATA = EXIT + offset(KvmLayouts.RUN_MMIO, "data");
    private static final long MMIO_LENGTH = EXIT + offset(KvmLayouts.RUN_MMIO, "len");
    private static final long MMIO_IS_WRITE = EXIT + offset(KvmLayouts.RUN_MMIO, "is_write");
    private static final long SYSTEM_EVENT_TYPE = EXIT + offset(KvmLayouts.RUN_SYSTEM_EVENT, "type");
    private static final long INTERNAL_SUBERROR = EXIT + offset(KvmLayouts.RUN_INTERNAL, "suberror");
    private static final long INTERNAL_NDATA = EXIT + offset(KvmLayouts.RUN_INTERNAL, "ndata");
    private static final long INTERNAL_DATA = EXIT + offset(KvmLayouts.RUN_INTERNAL, "data");
    private static final long FAIL_ENTRY_REASON = EXIT + offset(KvmLayouts.RUN_FAIL_ENTRY, "hardware_entry_failure_reason");

    private final MemorySegment run;

    public KvmRun(MemorySegment run) {
        this.run = run;
    }

    public MemorySegment segment() {
        return run;
    }

    public int exitReason() {
        return run.get(ValueLayout.JAVA_INT, EXIT_REASON);
    }

    public int ioDirection() {
        return Byte.toUnsignedInt(run.get(ValueLayout.JAVA_BYTE, IO_DIRECTION));
    }

    public int ioSize() {
        return Byte.toUnsignedInt(run.get(ValueLayout.JAVA_BYTE, IO_SIZE));
    }

    public int ioPort() {
        return Short.toUnsignedInt(run.get(ValueLayout.JAVA_SHORT, IO_PORT));
    }

    public int ioCount() {
        return run.get(ValueLayout.JAVA_INT, IO_COUNT);
    }

    public long ioDataOffset() {
        return run.get(ValueLayout.JAVA_LONG, IO_DATA_OFFSET);
    }

    public long mmioAddress() {
        return run.get(ValueLayout.JAVA_LONG, MMIO_ADDRESS);
    }

    /** The 8 data bytes of an MMIO exit, little-endian. */
    public MemorySegment mmioData() {
        return run.asSlice(MMIO_DATA, 8);
    }

    public int mmioLength() {
        return run.get(ValueLayout.JAVA_INT, MMIO_LENGTH);
    }

    public boolean mmioIsWrite() {
        return run.get(ValueLayout.JAVA_BYTE, MMIO_IS_WRITE) != 0;
    }

    public int systemEventType() {
        return run.get(ValueLayout.JAVA_INT, SYSTEM_EVENT_TYPE);
    }

    public int internalSuberror() {
        return run.get(ValueLayout.JAVA_INT, INTERNAL_SUBERROR);
    }

    public long[] internalData() {
        int n = Math.clamp(run.get(ValueLayout.JAVA_INT, INTERNAL_NDATA), 0, 16);
        long[] data = new long[n];
        for (int i = 0; i < n; i++) {
            data[i] = run.get(ValueLayout.JAVA_LONG, INTERNAL_DATA + 8L * i);
        }
        return data;
    }

    public long failEntryReason() {
        return run.get(ValueLayout.JAVA_LONG, FAIL_ENTRY_REASON);
    }
}
