package org.qemu.kvm.launcher;

import java.util.List;

import org.qemu.common.cli.LauncherException;
import org.qemu.common.cli.MachineRequest;
import org.qemu.common.cli.SystemLauncher;
import org.qemu.kvm.vmm.KvmMachine;

/** {@code qemu-kvm}: KVM virtual machine monitor for x86 guests. */
public final class QemuKvm extends SystemLauncher {
    public QemuKvm() {
        super("qemu-kvm", "KVM virtual machine monitor for x86 guests.");
    }

    @Override
    protected List<String> defaultAccelerators() {
        return List.of("kvm");
    }

    @Override
    protected int runMachine(MachineRequest request) throws LauncherException {
        List<String> accelerators = request.accelerators();
        for (int i = 0; i < accelerators.size(); i++) {
            if (accelerators.get(i).equals("tcg")) {
                return TcgFallback.run(request);
            }
            try {
                return KvmMachine.run(request, KvmMachine.stdout());
            } catch (KvmMachine.KvmUnavailable e) {
                // QEMU's wording, so scripts that look for it keep working.
                System.err.println("Could not access KVM kernel module: " + e.getMessage());
                if (i == accelerators.size() - 1) {
                    throw new LauncherException("failed to initialize kvm: " + e.getMessage());
                }
                System.err.println("qemu-kvm: failed to initialize kvm: " + e.getMessage());
                System.err.println("qemu-kvm: falling back to " + accelerators.get(i + 1));
            }
        }
        throw new LauncherException("no accelerator found");
    }

    public static void main(String[] args) {
        launch(new QemuKvm(), args);
    }
}
