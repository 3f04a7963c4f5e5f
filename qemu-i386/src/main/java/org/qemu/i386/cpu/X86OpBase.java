package org.qemu.i386.cpu;

/**
 * The class most ops extend: the interpreted tier calls them through this class
 * ({@code X86InterpretedSequence}), a virtual call, instead of through the interface.
 *
 * <p>Why: the interpreted tier's one call site sees every op class, so HotSpot dispatches it
 * through a stub, and for an interface call that stub searches the receiver class's interface
 * table at every call; a virtual call's stub loads the method from a fixed slot of the class's
 * table. async-profiler on {@code python3 -c pass} under qemu-x86_64 (most of its guest code runs in
 * the interpreted tier): the interface stub alone was 15% of the run loop thread's samples. Ops
 * that are lambdas or records implement {@link X86Op} only and are called through an adapter.
 */
public abstract class X86OpBase implements X86Op {
    @Override
    public abstract void exec(X86Cpu cpu);
}
