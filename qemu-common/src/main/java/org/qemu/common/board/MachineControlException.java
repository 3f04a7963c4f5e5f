package org.qemu.common.board;

/** A management request this machine cannot carry out; the message is what the client sees. */
public final class MachineControlException extends RuntimeException {
    public MachineControlException(String message) {
        super(message, null, false, false);
    }
}
