package org.qemu.common.linux;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * The host command line that starts this emulator again (java, its options, the class path
 * and the launcher's main class): what execve and fork run to put a guest program into a
 * new (or the same) host process.
 */
public record EmulatorCommand(List<String> prefix) {

    public static EmulatorCommand ofCurrentJvm(Class<?> mainClass) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // Debug agents and the like are per run; everything else (memory, native access) carries over.
            if (!arg.startsWith("-agentlib") && !arg.startsWith("-javaagent")) {
                cmd.add(arg);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass.getName());
        return new EmulatorCommand(List.copyOf(cmd));
    }

    public List<String> with(List<String> emulatorArgs) {
        List<String> all = new ArrayList<>(prefix);
        all.addAll(emulatorArgs);
        return all;
    }
}
