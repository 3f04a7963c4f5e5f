package org.qemu.i386.launcher;

import org.qemu.common.cli.LauncherException;
import org.qemu.common.cli.MachineRequest;
import org.qemu.common.cli.SystemLauncher;
import org.qemu.i386.system.TcgPcMachine;

/** {@code qemu-system-i386}: PC system emulator for i386 guests (TCG: the translated CPU). */
public final class QemuSystemI386 extends SystemLauncher {
    public QemuSystemI386() {
        super("qemu-system-i386", "PC system emulator for i386 guests.");
    }

    @Override
    protected int runMachine(MachineRequest request) throws LauncherException {
        for (String accel : request.accelerators()) {
            if (accel.equals("tcg")) {
                return TcgPcMachine.run(request, TcgPcMachine.stdout());
            }
        }
        throw new LauncherException("-accel " + String.join(":", request.accelerators())
                + ": qemu-system-i386 runs under TCG only in this build (use qemu-kvm for KVM)");
    }

    public static void main(String[] args) {
        launch(new QemuSystemI386(), args);
    }
}
