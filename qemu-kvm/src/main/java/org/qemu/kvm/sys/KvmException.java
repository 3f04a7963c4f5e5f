package org.qemu.kvm.sys;

/** KVM is present but cannot run this machine (wrong API version, missing capability). */
public final class KvmException extends Exception {
    public KvmException(String message) {
        super(message);
    }
}
