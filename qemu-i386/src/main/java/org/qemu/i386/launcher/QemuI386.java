package org.qemu.i386.launcher;

import org.qemu.common.cli.LauncherException;
import org.qemu.common.cli.UserModeLauncher;
import org.qemu.common.cli.UserModeRequest;
import org.qemu.common.linux.UserModeSession;
import org.qemu.i386.linux.I386LinuxAbi;

/** {@code qemu-i386}: runs i386 Linux programs. */
public final class QemuI386 extends UserModeLauncher {
    public QemuI386() {
        super("qemu-i386", "i386");
    }

    @Override
    protected int runGuest(UserModeRequest request) throws LauncherException {
        return UserModeSession.run(new I386LinuxAbi(), request, QemuI386.class, null, org.qemu.i386.gdb.X86DebugSupport::new);
    }

    /** One i686-class core with x87, MMX, SSE and SSE2 (see CpuidTable); the names are QEMU's. */
    @Override
    protected java.util.List<String> cpuModels() {
        return java.util.List.of("qemu32", "pentium3", "max");
    }

    public static void main(String[] args) {
        launch(new QemuI386(), args);
    }
}
