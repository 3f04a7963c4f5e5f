package org.qemu.i386.translate;

import org.qemu.i386.cpu.X86Op;

/**
 * An SSE op whose effect {@link SseEmitter} can emit as bytecode over XMM values held in locals.
 * Its {@code exec} stays the reference (interpreter, 64-bit blocks, anything not inlined) and
 * must do exactly what the emitted code does.
 */
public interface InlineXmmOp extends X86Op {
    XmmForm xmmForm();
}
