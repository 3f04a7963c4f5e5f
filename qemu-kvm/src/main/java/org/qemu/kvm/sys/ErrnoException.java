package org.qemu.kvm.sys;

/** A failed system call, carrying the errno the kernel returned and the C library's text for it. */
public final class ErrnoException extends Exception {
    private final int errno;
    private final String call;

    public ErrnoException(String call, int errno) {
        super(call + ": " + Libc.strerror(errno));
        this.call = call;
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    public String call() {
        return call;
    }

    /** The C library's description, e.g. "No such file or directory". */
    public String reason() {
        return Libc.strerror(errno);
    }
}
