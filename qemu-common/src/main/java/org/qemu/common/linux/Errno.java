package org.qemu.common.linux;

/** Linux errno values (asm-generic/errno-base.h, errno.h): the same on every ABI we emulate. */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int E2BIG = 7;
    public static final int ENOEXEC = 8;
    public static final int EBADF = 9;
    public static final int ECHILD = 10;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int EMFILE = 24;
    public static final int ENOTTY = 25;
    public static final int ESPIPE = 29;
    public static final int EPIPE = 32;
    public static final int ERANGE = 34;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOSYS = 38;
    public static final int ENOTEMPTY = 39;
    public static final int ETIMEDOUT = 110;
    public static final int ERESTARTSYS = 512;

    private static final String[] NAMES = new String[134];

    static {
        String[] known = {
            "1", "Operation not permitted", "2", "No such file or directory", "3", "No such process",
            "4", "Interrupted system call", "5", "Input/output error", "7", "Argument list too long",
            "8", "Exec format error", "9", "Bad file descriptor", "10", "No child processes",
            "11", "Resource temporarily unavailable", "12", "Cannot allocate memory", "13", "Permission denied",
            "14", "Bad address", "16", "Device or resource busy", "17", "File exists", "18", "Invalid cross-device link",
            "20", "Not a directory", "21", "Is a directory", "22", "Invalid argument", "24", "Too many open files",
            "25", "Inappropriate ioctl for device", "28", "No space left on device", "29", "Illegal seek",
            "30", "Read-only file system", "32", "Broken pipe", "34", "Numerical result out of range",
            "36", "File name too long", "38", "Function not implemented", "39", "Directory not empty",
            "40", "Too many levels of symbolic links", "61", "No data available", "95", "Operation not supported",
            "110", "Connection timed out",
        };
        for (int i = 0; i < known.length; i += 2) {
            NAMES[Integer.parseInt(known[i])] = known[i + 1];
        }
    }

    /** The strerror text, as QEMU's -strace prints it. */
    public static String describe(int errno) {
        if (errno > 0 && errno < NAMES.length && NAMES[errno] != null) {
            return NAMES[errno];
        }
        return "Unknown error " + errno;
    }

    private Errno() {
    }
}
