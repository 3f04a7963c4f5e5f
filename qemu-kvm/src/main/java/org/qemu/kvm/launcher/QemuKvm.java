package org.qemu.kvm.launcher;

import org.qemu.common.cli.LauncherException;
import org.qemu.common.cli.MachineRequest;
import org.qemu.common.cli.SystemLauncher;

/** {@code qemu-kvm}: KVM virtual machine monitor for x86 guests. */
public final class QemuKvm extends SystemLauncher {
    public QemuKvm() {
        super("qemu-kvm", "KVM virtual machine monitor for x86 guests.");
    }

    @Override
    protected int runMachine(MachineRequest request) throws LauncherException {
        throw LauncherException.notBuilt("the KVM virtual machine monitor");
    }

    public static void main(String[] args) {
        launch(new QemuKvm(), args);
    }
}
