package org.qemu.x86_64.launcher;

import org.qemu.common.cli.LauncherException;
import org.qemu.common.cli.MachineRequest;
import org.qemu.common.cli.SystemLauncher;
import org.qemu.i386.system.TcgPcMachine;

/**
 * {@code qemu-system-x86_64}: PC system emulator for x86_64 guests. Under TCG it runs the same
 * translated PC as qemu-system-i386, whose CPU gets long mode here (EFER.LME, 4-level paging,
 * 64-bit gates, syscall; the {@code qemu.program} property tells the CPU which one it is):
 * multiboot kernels and Linux bzImages through the 32-bit boot protocol (see docs/SYSTEM.md).
 */
public final class QemuSystemX86_64 extends SystemLauncher {
    public QemuSystemX86_64() {
        super("qemu-system-x86_64", "PC system emulator for x86_64 guests.");
    }

    @Override
    protected int runMachine(MachineRequest request) throws LauncherException {
        for (String accel : request.accelerators()) {
            if (accel.equals("tcg")) {
                System.setProperty("qemu.program", "qemu-system-x86_64");
                return TcgPcMachine.run(request, TcgPcMachine.stdout());
            }
        }
        throw new LauncherException("-accel " + String.join(":", request.accelerators())
                + ": qemu-system-x86_64 runs under TCG only in this build (use qemu-kvm for KVM)");
    }

    public static void main(String[] args) {
        launch(new QemuSystemX86_64(), args);
    }
}
