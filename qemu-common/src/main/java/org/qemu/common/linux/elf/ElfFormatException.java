package org.qemu.common.linux.elf;

/** A file that is not a loadable ELF image for the emulated architecture; the message is for the user. */
public final class ElfFormatException extends Exception {
    public ElfFormatException(String message) {
        super(message, null, false, false);
    }
}
