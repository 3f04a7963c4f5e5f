package org.qemu.common.qmp;

/** A command that fails with one of QMP's error classes ({@code GenericError}, {@code CommandNotFound}). */
public final class QmpError extends Exception {
    public static final String GENERIC = "GenericError";
    public static final String COMMAND_NOT_FOUND = "CommandNotFound";

    private final String errorClass;

    public QmpError(String errorClass, String description) {
        super(description, null, false, false);
        this.errorClass = errorClass;
    }

    public static QmpError generic(String description) {
        return new QmpError(GENERIC, description);
    }

    public String errorClass() {
        return errorClass;
    }
}
