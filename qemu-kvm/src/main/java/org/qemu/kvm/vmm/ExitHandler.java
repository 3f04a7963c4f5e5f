package org.qemu.kvm.vmm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.qemu.common.hw.IoPortBus;
import org.qemu.common.hw.MmioBus;
import org.qemu.kvm.sys.KvmExit;
import org.qemu.kvm.sys.KvmRun;

/**
 * Completes the exits that devices serve: port I/O (including string I/O, which arrives as
 * {@code count} items) and MMIO. For reads, the answer goes back into {@code kvm_run}, where the
 * kernel picks it up on the next KVM_RUN.
 */
final class ExitHandler {
    private final IoPortBus ioBus;
    private final MmioBus mmioBus;
    private final long[] mmioValue = new long[1];
    private long portIoExits;

    ExitHandler(IoPortBus ioBus, MmioBus mmioBus) {
        this.ioBus = ioBus;
        this.mmioBus = mmioBus;
    }

    long portIoExits() {
        return portIoExits;
    }

    void portIo(KvmRun exit) {
        MemorySegment run = exit.segment();
        int size = exit.ioSize();
        int port = exit.ioPort();
        int count = exit.ioCount();
        long data = exit.ioDataOffset();
        if ((size != 1 && size != 2 && size != 4) || count < 0 || data < 0
                || data + (long) size * count > run.byteSize()) {
            throw new IllegalStateException("malformed I/O exit from the kernel: size " + size + " count " + count);
        }
        boolean out = exit.ioDirection() == KvmExit.IO_OUT;
        for (int i = 0; i < count; i++) {
            long at = data + (long) i * size;
            if (out) {
                ioBus.out(port, size, read(run, at, size));
            } else {
                write(run, at, size, ioBus.in(port, size));
            }
        }
        portIoExits++;
    }

    void mmio(KvmRun exit) {
        MemorySegment data = exit.mmioData();
        int length = Math.clamp(exit.mmioLength(), 0, 8);
        if (exit.mmioIsWrite()) {
            long value = 0;
            for (int i = 0; i < length; i++) {
                value |= (data.get(ValueLayout.JAVA_BYTE, i) & 0xffL) << (8 * i);
            }
            mmioBus.write(exit.mmioAddress(), length, value);
        } else {
            mmioBus.read(exit.mmioAddress(), length, mmioValue);
            for (int i = 0; i < length; i++) {
                data.set(ValueLayout.JAVA_BYTE, i, (byte) (mmioValue[0] >>> (8 * i)));
            }
        }
    }

    private static int read(MemorySegment run, long at, int size) {
        return switch (size) {
            case 1 -> run.get(ValueLayout.JAVA_BYTE, at) & 0xff;
            case 2 -> run.get(ValueLayout.JAVA_SHORT_UNALIGNED, at) & 0xffff;
            default -> run.get(ValueLayout.JAVA_INT_UNALIGNED, at);
        };
    }

    private static void write(MemorySegment run, long at, int size, int value) {
        switch (size) {
            case 1 -> run.set(ValueLayout.JAVA_BYTE, at, (byte) value);
            case 2 -> run.set(ValueLayout.JAVA_SHORT_UNALIGNED, at, (short) value);
            default -> run.set(ValueLayout.JAVA_INT_UNALIGNED, at, value);
        }
    }
}
