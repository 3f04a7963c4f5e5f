package org.qemu.common.cli;

import java.io.PrintWriter;
import java.util.List;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.MissingArgumentException;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.apache.commons.cli.UnrecognizedOptionException;

/**
 * The shape every launcher shares: QEMU-spelled options parsed with Commons CLI
 * ({@code -kernel}, {@code -m}: single-dash multi-letter names), {@code -h}/{@code -help},
 * {@code -version}/{@code --version}, and one clear line plus status 1 for anything wrong.
 */
public abstract class Launcher {
    private final String program;
    private final boolean systemEmulator;

    protected Launcher(String program, boolean systemEmulator) {
        this.program = program;
        this.systemEmulator = systemEmulator;
    }

    public String program() {
        return program;
    }

    /** Options specific to this launcher; help and version are added here. */
    protected abstract void addOptions(Options options);

    /** One-line synopsis after "usage: ". */
    protected abstract String synopsis();

    /** Text printed under the synopsis in help output. */
    protected abstract String description();

    /**
     * User-mode emulators stop parsing at the guest program: everything after it
     * belongs to the guest.
     */
    protected boolean stopAtNonOption() {
        return !systemEmulator;
    }

    /** Runs the parsed command line and returns the exit status. */
    protected abstract int run(CommandLine line) throws LauncherException;

    public final Options options() {
        Options options = new Options();
        options.addOption(Option.builder("h").desc("print this help").get());
        options.addOption(Option.builder("help").desc("print this help").get());
        options.addOption(Option.builder("version").longOpt("version").desc("display version information and exit").get());
        addOptions(options);
        return options;
    }

    /** Parses, dispatches and maps every failure to a status; never lets a stack trace reach the user. */
    public final int execute(String[] args) {
        Options options = options();
        CommandLine line;
        try {
            line = DefaultParser.builder().get().parse(options, args, stopAtNonOption());
        } catch (UnrecognizedOptionException e) {
            return fail(e.getOption() + ": invalid option");
        } catch (MissingArgumentException e) {
            return fail("-" + e.getOption().getOpt() + ": requires an argument");
        } catch (ParseException e) {
            return fail(e.getMessage());
        }
        GivenOptions given = GivenOptions.of(line);
        if (given.has("h") || given.has("help")) {
            printHelp(options);
            return 0;
        }
        if (given.has("version")) {
            System.out.println(QemuVersion.banner(program, systemEmulator));
            return 0;
        }
        try {
            return run(line);
        } catch (LauncherException e) {
            return fail(e.getMessage(), e.exitStatus());
        }
    }

    protected final int fail(String message) {
        return fail(message, 1);
    }

    protected final int fail(String message, int status) {
        System.err.println(program + ": " + message);
        System.err.flush();
        return status;
    }

    protected void printHelp(Options options) {
        PrintWriter out = new PrintWriter(System.out, true);
        HelpFormatter formatter = HelpFormatter.builder().setPrintWriter(out).setShowSince(false).get();
        formatter.setOptPrefix("-");
        formatter.setLongOptPrefix(" --");
        formatter.printHelp(out, 100, synopsis(), description(), options, 2, 4, "", false);
        out.flush();
    }

    /**
     * Runs first in a launcher process, before the command line is parsed: start-up work that can
     * overlap with the parsing (on the second core) starts here. Nothing by default.
     */
    protected void prepareHost() {
    }

    /** The positional arguments left after the options. */
    protected static List<String> operands(CommandLine line) {
        return line.getArgList();
    }

    /** Runs a launcher as a process entry point: the status becomes the process exit status. */
    public static void launch(Launcher launcher, String[] args) {
        int status = prepareAndExecute(launcher, args);
        System.out.flush();
        launcher.exitProcess(status);
    }

    /**
     * What a process entry point does before its exit: the host preparation, then the command
     * line. The AOT training run calls this too, so the cache holds the classes of both steps.
     */
    public static int prepareAndExecute(Launcher launcher, String[] args) {
        launcher.prepareHost();
        return launcher.execute(args);
    }

    /** Ends the process with {@code status} once the run is over; the JVM's full shutdown sequence by default. */
    protected void exitProcess(int status) {
        System.exit(status);
    }

    /** {@code -trace}: enables the named events; a name no event has is a warning line, as in QEMU. */
    protected final void enableTraceEvents(CommandLine line) throws LauncherException {
        String[] values = GivenOptions.of(line).values("trace");
        if (values == null) {
            return;
        }
        try {
            for (String warning : org.qemu.common.log.TraceEvents.enable(List.of(values))) {
                System.err.println(program() + ": warning: " + warning);
            }
        } catch (org.qemu.common.log.TraceEvents.InvalidTrace e) {
            throw new LauncherException(e.getMessage());
        }
    }
}
