package org.qemu.common.cli;

/** The version banner every launcher prints, in QEMU's two-line shape. */
public final class QemuVersion {
    /** The version of this project; the jar manifest carries the build's value. */
    public static String version() {
        String v = QemuVersion.class.getPackage().getImplementationVersion();
        return v != null ? v : "1.0.0";
    }

    /** {@code qemu-i386 version 1.0.0 (qemu-java)} for user mode, {@code QEMU emulator version ...} for system mode. */
    public static String banner(String program, boolean systemEmulator) {
        String first = systemEmulator
                ? "QEMU emulator version " + version() + " (qemu-java)"
                : program + " version " + version() + " (qemu-java)";
        return first + System.lineSeparator()
                + "Copyright (c) 2003-2026 Fabrice Bellard and the QEMU Project developers; Java re-creation by the qemu-java developers";
    }

    private QemuVersion() {
    }
}
