package org.qemu.common.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a user-mode launcher hands to the runtime: the guest program, its argv and
 * environment (after -E/-U), the interpreter prefix (-L) and the emulator switches
 * ({@code gdb}: the -g gdbstub port, null without one).
 */
public record UserModeRequest(
        Path program,
        List<String> argv,
        Map<String, String> environment,
        Path ldPrefix,
        String cpuModel,
        boolean strace,
        long stackSize,
        String unameRelease,
        org.qemu.common.gdbstub.GdbEndpoint gdb) {
}
