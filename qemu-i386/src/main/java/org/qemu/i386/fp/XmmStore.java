package org.qemu.i386.fp;

import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.translate.FpuOnlyOp;
import org.qemu.i386.translate.InlineXmmOp;
import org.qemu.i386.translate.Operand;
import org.qemu.i386.translate.XmmForm;

/**
 * movaps/movapd/movdqa/movdqu/movups/movntdq m128, xmm and movq m64, xmm (66 0F D6): an XMM
 * register to memory. The 16-byte forms check the whole range first, so a fault leaves memory
 * untouched.
 */
final class XmmStore implements FpuOnlyOp, InlineXmmOp {
    private final int bytes;
    private final boolean aligned;
    private final int source;
    private final Operand.Memory destination;

    XmmStore(int bytes, boolean aligned, int source, Operand.Memory destination) {
        this.bytes = bytes;
        this.aligned = aligned;
        this.source = source;
        this.destination = destination;
    }

    @Override
    public XmmForm xmmForm() {
        return bytes == 16 ? XmmForm.of(XmmForm.STORE, 0, source, destination, aligned ? 1 : 0)
                : XmmForm.of(XmmForm.STORE_LOW, 0, source, destination);
    }

    @Override
    public void exec(X86Cpu cpu) {
        long a = destination.address(cpu);
        long[] x = cpu.state.xmm;
        if (bytes == 8) {
            cpu.memory.write64(a, x[2 * source]);
            return;
        }
        if (aligned) {
            SseInline.requireAligned(a);
        }
        cpu.memory.write128(a, x[2 * source], x[2 * source + 1]);
    }
}
