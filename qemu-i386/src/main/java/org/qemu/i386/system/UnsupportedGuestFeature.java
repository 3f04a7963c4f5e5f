package org.qemu.i386.system;

/**
 * Thrown by a system op when the guest turns to something this TCG machine does not emulate
 * (paging, long mode, real mode, 16-bit or based code segments): the machine stops with one
 * clear line and status 1 instead of running on with wrong semantics.
 */
public final class UnsupportedGuestFeature extends RuntimeException {
    public UnsupportedGuestFeature(String what) {
        super(what, null, false, false);
    }
}
