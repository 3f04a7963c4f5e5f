package org.qemu.common.linux;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
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
        boolean hasArchive = false;
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // Debug agents and the like are per run; everything else (memory, native access) carries over.
            if (!arg.startsWith("-agentlib") && !arg.startsWith("-javaagent")) {
                cmd.add(arg);
            }
            hasArchive |= arg.startsWith("-XX:SharedArchiveFile") || arg.startsWith("-XX:AOTCache");
        }
        if (!hasArchive) {
            // Every fork starts a JVM: a class-data archive (written by the first child, reused after)
            // halves that start-up. Logging is off so CDS notes never mix with guest output.
            cmd.add("-XX:+AutoCreateSharedArchive");
            cmd.add("-XX:SharedArchiveFile=" + archivePath());
            cmd.add("-Xlog:disable");
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass.getName());
        return new EmulatorCommand(List.copyOf(cmd));
    }

    private static String archivePath() {
        String key = System.getProperty("java.home") + "|" + System.getProperty("java.class.path");
        return Path.of(System.getProperty("java.io.tmpdir"), "qemu-user-" + System.getProperty("user.name") + "-"
                + Integer.toHexString(key.hashCode()) + ".jsa").toString();
    }

    public List<String> with(List<String> emulatorArgs) {
        List<String> all = new ArrayList<>(prefix);
        all.addAll(emulatorArgs);
        return all;
    }
}
