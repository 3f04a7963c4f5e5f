package org.qemu.i386.system;

import java.util.concurrent.atomic.AtomicInteger;

import org.qemu.common.log.GuestLog;
import org.qemu.common.log.LogItem;
import org.qemu.i386.cpu.X86CpuState;

/**
 * {@code -d int} and {@code -d guest_errors} for the TCG PC: one line per interrupt or exception
 * about to be delivered, in the shape of QEMU's x86 log ({@code count: v=vector e=error i=software
 * cpl IP=cs:eip pc SP=ss:esp EAX}), the count shared by all CPUs as QEMU's is.
 */
final class InterruptLog {
    private static final AtomicInteger COUNT = new AtomicInteger();

    private InterruptLog() {
    }

    static void interrupt(GuestLog log, SystemCpu cpu, int vector, int errorCode, boolean software) {
        if (log == null || !log.has(LogItem.INT)) {
            return;
        }
        X86CpuState s = cpu.cpu.state;
        StringBuilder line = new StringBuilder(String.format("%6d: v=%02x e=%04x i=%d cpl=0 IP=%04x:%08x pc=%08x SP=%04x:%08x",
                COUNT.getAndIncrement(), vector, errorCode < 0 ? 0 : errorCode & 0xffff, software ? 1 : 0,
                s.segSelector[X86CpuState.CS], s.eip(), s.eip(), s.segSelector[X86CpuState.SS], s.reg32(X86CpuState.ESP)));
        if (vector == 14) {
            line.append(String.format(" CR2=%08x", cpu.cr2));
        }
        line.append(String.format(" env->regs[R_EAX]=%08x", s.reg32(X86CpuState.EAX)));
        log.write(line.toString());
    }

    static void guestError(GuestLog log, String message) {
        if (log != null && log.has(LogItem.GUEST_ERRORS)) {
            log.write(message);
        }
    }
}
