package org.qemu.common.cli;

/**
 * A condition that ends a launcher with one line on stderr and a non-zero status,
 * never a stack trace: bad options, unreadable files, features not built yet.
 */
public class LauncherException extends Exception {
    private final int exitStatus;

    public LauncherException(String message) {
        this(message, 1);
    }

    public LauncherException(String message, int exitStatus) {
        super(message);
        this.exitStatus = exitStatus;
    }

    public int exitStatus() {
        return exitStatus;
    }

    /** The launcher was asked for something this build does not implement yet. */
    public static LauncherException notBuilt(String feature) {
        return new LauncherException(feature + " is not implemented in this build", 1);
    }
}
