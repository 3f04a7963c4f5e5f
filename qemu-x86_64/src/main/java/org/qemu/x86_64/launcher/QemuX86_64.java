package org.qemu.x86_64.launcher;

import org.qemu.common.cli.LauncherException;
import org.qemu.common.cli.UserModeLauncher;
import org.qemu.common.cli.UserModeRequest;
import org.qemu.common.linux.UserModeSession;
import org.qemu.x86_64.linux.X86_64LinuxAbi;

/**
 * {@code qemu-x86_64}: runs x86-64 Linux programs. Without -L the interpreter a program names
 * (/lib64/ld-linux-x86-64.so.2) is the host's own file, as in QEMU.
 */
public final class QemuX86_64 extends UserModeLauncher {
    public QemuX86_64() {
        super("qemu-x86_64", "x86_64");
    }

    @Override
    protected int runGuest(UserModeRequest request) throws LauncherException {
        return UserModeSession.run(new X86_64LinuxAbi(), request, QemuX86_64.class, null,
                org.qemu.i386.gdb.X86DebugSupport::longMode);
    }

    /** One x86-64 core with x87, MMX, SSE and SSE2 (the baseline every x86-64 program may assume). */
    @Override
    protected java.util.List<String> cpuModels() {
        return java.util.List.of("qemu64", "max");
    }

    public static void main(String[] args) {
        launch(new QemuX86_64(), args);
    }
}
