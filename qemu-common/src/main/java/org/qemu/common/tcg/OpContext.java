package org.qemu.common.tcg;

/** What an op sequence needs from the CPU it runs on: where to note the op that faulted. */
public interface OpContext {
    /** Called (before the exception propagates) with the index of the op that threw. */
    void recordFaultingOp(int opIndex);
}
