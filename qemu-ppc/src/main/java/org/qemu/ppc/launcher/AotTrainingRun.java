package org.qemu.ppc.launcher;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.qemu.common.cli.Launcher;

/**
 * The training run of the JDK's AOT cache (scripts/train-aot.sh): runs several emulators one
 * after another in this one JVM, so one cache holds the classes and profiles of each. JDK 25
 * records one training JVM per cache and cannot merge two, and the launcher uses one cache
 * for every emulator.
 *
 * <p>Arguments: {@code LauncherClass args... [+ LauncherClass args...]...}; a failing run stops
 * the training with its status.
 */
public final class AotTrainingRun {
    private static final String SEPARATOR = "+";

    private AotTrainingRun() {
    }

    public static void main(String[] args) {
        int status = 0;
        for (List<String> run : runs(args)) {
            status = runOne(run.getFirst(), run.subList(1, run.size()).toArray(String[]::new));
            if (status != 0) {
                System.err.println("aot-training: " + run.getFirst() + " exited with status " + status);
                break;
            }
        }
        // Ends the way a user-mode emulator ends, so the cache holds that path's classes too.
        org.qemu.common.cli.ExitActions.halt(status);
    }

    static List<List<String>> runs(String[] args) {
        List<List<String>> runs = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (String a : args) {
            if (a.equals(SEPARATOR)) {
                if (!current.isEmpty()) {
                    runs.add(current);
                }
                current = new ArrayList<>();
            } else {
                current.add(a);
            }
        }
        if (!current.isEmpty()) {
            runs.add(current);
        }
        return runs;
    }

    private static int runOne(String launcherClass, String[] args) {
        try {
            Launcher launcher = (Launcher) Class.forName(launcherClass).getDeclaredConstructor().newInstance();
            return Launcher.prepareAndExecute(launcher, args);
        } catch (ReflectiveOperationException | ClassCastException e) {
            System.err.println("aot-training: cannot run " + launcherClass + " " + Arrays.toString(args) + ": " + e);
            return 1;
        }
    }
}
