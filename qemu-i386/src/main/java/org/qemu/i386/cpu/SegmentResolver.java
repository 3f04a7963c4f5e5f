package org.qemu.i386.cpu;

/**
 * Maps a selector loaded into a segment register to its base address. The Linux runtime
 * supplies one backed by the GDT entries that set_thread_area filled (glibc's TLS: %gs).
 */
@FunctionalInterface
public interface SegmentResolver {
    /** The base of {@code selector}, or -1 when the selector is not valid (the load raises #GP). */
    long baseOf(int selector);

    /**
     * The base of {@code selector} loaded into segment register {@code segment} (X86CpuState.ES
     * ... GS). System mode checks the descriptor against the register and the privilege level
     * here and throws the exception itself; user mode needs only the selector.
     */
    default long baseOf(int segment, int selector) {
        return baseOf(selector);
    }

    /**
     * Without a runtime: the null selector and the flat user code/data selectors have base 0. A
     * class, not a lambda: every CPU's constructor reaches this field, and a lambda's call site is
     * linked at run time (method-handle classes spun in HotSpot's interpreter at every start-up;
     * the AOT cache does not keep this one).
     */
    SegmentResolver FLAT = new Flat();

    /** {@link #FLAT}'s class. */
    final class Flat implements SegmentResolver {
        private Flat() {
        }

        @Override
        public long baseOf(int selector) {
            return switch (selector & ~3) {
                case 0, 0x20, 0x28 -> 0;
                default -> -1;
            };
        }
    }
}
