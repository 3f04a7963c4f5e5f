package org.qemu.common.board;

/** A kernel image or boot input that cannot be loaded; the message is one line for the user. */
public final class BootException extends Exception {
    public BootException(String message) {
        super(message);
    }
}
