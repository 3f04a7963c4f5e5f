package org.qemu.common.linux;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The host command line that starts this emulator again (java, its options, the class path
 * and the launcher's main class): what execve and fork run to put a guest program into a
 * new (or the same) host process. Worked out on first use only: most guests never fork.
 */
public final class EmulatorCommand {
    private final Supplier<List<String>> computer;
    private List<String> prefix;

    private EmulatorCommand(Supplier<List<String>> computer) {
        this.computer = computer;
    }

    public static EmulatorCommand of(List<String> prefix) {
        List<String> copy = List.copyOf(prefix);
        return new EmulatorCommand(() -> copy);
    }

    public static EmulatorCommand ofCurrentJvm(Class<?> mainClass) {
        return new EmulatorCommand(() -> currentJvm(mainClass));
    }

    private static List<String> currentJvm(Class<?> mainClass) {
        ProcessHandle.Info info = ProcessHandle.current().info();
        List<String> cmd = new ArrayList<>();
        cmd.add(info.command().orElse(System.getProperty("java.home") + "/bin/java"));
        boolean hasArchive = false;
        // The JVM options are the arguments before the main class (read from /proc, no JMX start-up cost).
        String[] args = info.arguments().orElse(new String[0]);
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-cp") || arg.equals("-classpath") || arg.equals("--class-path")) {
                i++;
                continue;
            }
            if (!arg.startsWith("-") || arg.equals("-jar")) {
                break;
            }
            // Debug agents are per run, and so is the launcher's AOT recording (one JVM writes the
            // record; a child would write the same file); everything else (memory, native access,
            // properties) carries over.
            if (!arg.startsWith("-agentlib") && !arg.startsWith("-javaagent") && !recordsAot(arg)) {
                cmd.add(arg);
            }
            hasArchive |= arg.startsWith("-XX:SharedArchiveFile") || arg.startsWith("-XX:AOTCache");
        }
        if (!hasArchive) {
            // Every fork starts a JVM: a class-data archive (written by the first child, reused after)
            // cuts that start-up. Logging is off so CDS notes never mix with guest output.
            cmd.add("-XX:+AutoCreateSharedArchive");
            cmd.add("-XX:SharedArchiveFile=" + archivePath());
            cmd.add("-Xlog:disable");
            // the archive is written at the JVM's exit, which a direct exit (ExitActions) skips
            cmd.remove("-Dqemu.direct-exit=true");
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass.getName());
        return List.copyOf(cmd);
    }

    private static boolean recordsAot(String arg) {
        return arg.startsWith("-XX:AOTMode=") || arg.startsWith("-XX:AOTConfiguration=") || arg.equals("-XX:-DisplayVMOutput")
                || arg.equals("-XX:-AOTRecordTraining");
    }

    private static String archivePath() {
        String key = System.getProperty("java.home") + "|" + System.getProperty("java.class.path");
        return Path.of(System.getProperty("java.io.tmpdir"), "qemu-user-" + System.getProperty("user.name") + "-"
                + Integer.toHexString(key.hashCode()) + ".jsa").toString();
    }

    public synchronized List<String> prefix() {
        if (prefix == null) {
            prefix = computer.get();
        }
        return prefix;
    }

    public List<String> with(List<String> emulatorArgs) {
        List<String> all = new ArrayList<>(prefix());
        all.addAll(emulatorArgs);
        return all;
    }
}
