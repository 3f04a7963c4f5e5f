package org.qemu.kvm.launcher;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import org.qemu.common.cli.LauncherException;
import org.qemu.common.cli.MachineRequest;

/**
 * {@code -accel tcg} for qemu-kvm: the translated PC lives in the qemu-i386 package, which the
 * qemu-kvm package does not require, so it is looked up at run time and its absence is one clear
 * line rather than a missing-class stack trace.
 */
final class TcgFallback {
    static final String MACHINE_CLASS = "org.qemu.i386.system.TcgPcMachine";

    private TcgFallback() {
    }

    static int run(MachineRequest request) throws LauncherException {
        MethodHandle run;
        try {
            Class<?> machine = Class.forName(MACHINE_CLASS);
            run = MethodHandles.publicLookup().findStatic(machine, "run",
                    MethodType.methodType(int.class, MachineRequest.class, OutputStream.class));
        } catch (ClassNotFoundException | NoSuchMethodException | IllegalAccessException e) {
            throw new LauncherException("-accel tcg: TCG system emulation needs the qemu-i386 package (its jar is not installed)");
        }
        System.setProperty("qemu.program", "qemu-kvm");
        try {
            return (int) run.invokeExact(request, (OutputStream) new FileOutputStream(FileDescriptor.out));
        } catch (LauncherException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new LauncherException("TCG: " + e);
        }
    }
}
