package org.qemu.common.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.qemu.common.log.GuestLog;
import org.qemu.common.log.LogItem;
import org.qemu.common.log.LogOptions;
import org.qemu.common.log.TraceEvents;
import org.qemu.common.log.TranslationLog;

/**
 * The common command line of the Linux user-mode emulators:
 * {@code qemu-ARCH [-L path] [-E var=val] [-U var] [-cpu model] [-strace] program [args...]},
 * with QEMU's environment-variable twins ({@code QEMU_LD_PREFIX}, {@code QEMU_STRACE}, ...).
 */
public abstract class UserModeLauncher extends Launcher {
    private final String architecture;

    protected UserModeLauncher(String program, String architecture) {
        super(program, false);
        this.architecture = architecture;
    }

    /**
     * Every guest needs host calls from its first step (the address space is an mmap), and linking
     * the one FFM downcall is the largest single start-up cost: it starts now, on another thread,
     * while this one parses the command line, reads the ELF file and sets up the CPU.
     */
    @Override
    protected void prepareHost() {
        org.qemu.common.linux.host.HostSyscall.linkInBackground();
        org.qemu.common.linux.StartupTrace.mark("JVM start to main");
    }

    @Override
    protected void addOptions(Options options) {
        options.addOption(Option.builder("L").hasArg().argName("path").desc("set the elf interpreter prefix to 'path' (QEMU_LD_PREFIX)").get());
        options.addOption(Option.builder("E").hasArg().argName("var=value").desc("sets targets environment variable (QEMU_SET_ENV)").get());
        options.addOption(Option.builder("U").hasArg().argName("var").desc("unsets targets environment variable (QEMU_UNSET_ENV)").get());
        options.addOption(Option.builder("cpu").hasArg().argName("model").desc("select CPU (-cpu help for list) (QEMU_CPU)").get());
        options.addOption(Option.builder("strace").desc("log system calls (QEMU_STRACE)").get());
        options.addOption(Option.builder("0").hasArg().argName("argv0").desc("forces target process argv[0] to be 'argv0' (QEMU_ARGV0)").get());
        options.addOption(Option.builder("s").hasArg().argName("size").desc("set the stack size to 'size' bytes (QEMU_STACK_SIZE)").get());
        options.addOption(Option.builder("r").hasArg().argName("uname").desc("set qemu uname release string to 'uname' (QEMU_UNAME)").get());
        options.addOption(Option.builder("d").hasArg().argName("item[,...]").desc("enable logging of specified items (QEMU_LOG)").get());
        options.addOption(Option.builder("g").hasArg().argName("port").desc("wait gdb connection to 'port' (QEMU_GDB)").get());
        options.addOption(Option.builder("D").hasArg().argName("logfile").desc("write logs to 'logfile' (default stderr) (QEMU_LOG_FILENAME)").get());
        options.addOption(Option.builder("trace").hasArg().argName("[[enable=]pattern][,events=file]").desc("enable trace events ('-trace help' lists them)").get());
    }

    @Override
    protected String synopsis() {
        return program() + " [options] program [arguments...]";
    }

    @Override
    protected String description() {
        return "Linux CPU emulator (compiled for " + architecture + " emulation)\n\nOptions:";
    }

    /**
     * The CPU models {@code -cpu} accepts, first the default; all of one target run the same
     * core, which claims (CPUID, AT_HWCAP) only what is implemented.
     */
    protected abstract List<String> cpuModels();

    @Override
    protected final int run(CommandLine line) throws LauncherException {
        GivenOptions given = GivenOptions.of(line);
        if ("help".equals(given.value("d"))) {
            System.out.print(LogOptions.usage(LogItem::supportedInUserMode));
            return 0;
        }
        if ("help".equals(given.value("trace"))) {
            System.out.print(TraceEvents.usage());
            return 0;
        }
        enableTraceEvents(line);
        String cpu = given.value("cpu", System.getenv("QEMU_CPU"));
        if ("help".equals(cpu) || "?".equals(cpu)) {
            System.out.println("Available CPUs:");
            cpuModels().forEach(m -> System.out.println("  " + m));
            return 0;
        }
        if (cpu != null && cpuModels().stream().noneMatch(m -> m.equalsIgnoreCase(cpu.split(",")[0]))) {
            throw new LauncherException("unable to find CPU model '" + cpu + "'");
        }
        List<String> operands = operands(line);
        if (operands.isEmpty()) {
            throw new LauncherException("no user program specified");
        }
        if (operands.get(0).startsWith("-") && operands.get(0).length() > 1) {
            // Parsing stops at the first operand; an unknown option lands here.
            throw new LauncherException("unknown option '" + operands.get(0).replaceFirst("^-+", "") + "'");
        }
        UserModeRequest request = request(given, operands);
        Path program = request.program();
        if (!Files.exists(program)) {
            throw new LauncherException("could not open '" + program + "': No such file or directory");
        }
        if (Files.isDirectory(program)) {
            throw new LauncherException("could not open '" + program + "': Is a directory");
        }
        if (!Files.isReadable(program)) {
            throw new LauncherException("could not open '" + program + "': Permission denied");
        }
        return runGuest(request);
    }

    /** Runs the guest program; returns its exit status (128+N for a guest killed by signal N). */
    protected abstract int runGuest(UserModeRequest request) throws LauncherException;

    /**
     * Halts instead of {@code System.exit}, which would spend tens of milliseconds of every run
     * looking up the JVM's exit logger (see {@link ExitActions}); the exit actions still run.
     */
    @Override
    protected void exitProcess(int status) {
        ExitActions.halt(status);
    }

    private static UserModeRequest request(GivenOptions given, List<String> operands) throws LauncherException {
        String ldPrefix = given.value("L", System.getenv("QEMU_LD_PREFIX"));
        String cpu = given.value("cpu", System.getenv("QEMU_CPU"));
        LogOptions log = userModeLog(given);
        boolean strace = given.has("strace") || System.getenv("QEMU_STRACE") != null || log.has(LogItem.STRACE);
        startTranslationLog(log);
        Map<String, String> env = new LinkedHashMap<>(System.getenv());
        List<String> sets = new ArrayList<>();
        if (System.getenv("QEMU_SET_ENV") != null) {
            sets.addAll(List.of(System.getenv("QEMU_SET_ENV").split(",")));
        }
        for (String e : given.values("E") == null ? new String[0] : given.values("E")) {
            sets.addAll(List.of(e.split(",")));
        }
        for (String set : sets) {
            int eq = set.indexOf('=');
            if (eq <= 0) {
                throw new LauncherException("-E " + set + ": expected var=value");
            }
            env.put(set.substring(0, eq), set.substring(eq + 1));
        }
        List<String> unsets = new ArrayList<>();
        if (System.getenv("QEMU_UNSET_ENV") != null) {
            unsets.addAll(List.of(System.getenv("QEMU_UNSET_ENV").split(",")));
        }
        for (String u : given.values("U") == null ? new String[0] : given.values("U")) {
            unsets.addAll(List.of(u.split(",")));
        }
        unsets.forEach(env::remove);
        // Like QEMU, the guest sees the environment as given, QEMU_* variables included.
        List<String> argv = new ArrayList<>(operands);
        String argv0 = given.value("0", System.getenv("QEMU_ARGV0"));
        if (argv0 != null) {
            argv.set(0, argv0);
        }
        long stackSize = parseSize(given.value("s", System.getenv("QEMU_STACK_SIZE")), 8L << 20);
        return new UserModeRequest(Path.of(operands.get(0)), List.copyOf(argv), Map.copyOf(env),
                ldPrefix == null ? null : Path.of(ldPrefix), cpu, strace, stackSize,
                given.value("r", System.getenv("QEMU_UNAME")), gdbEndpoint(given));
    }

    private static org.qemu.common.gdbstub.GdbEndpoint gdbEndpoint(GivenOptions given) throws LauncherException {
        String port = given.value("g", System.getenv("QEMU_GDB"));
        if (port == null) {
            return null;
        }
        try {
            return org.qemu.common.gdbstub.GdbEndpoint.userModePort(port);
        } catch (IllegalArgumentException e) {
            throw new LauncherException(e.getMessage());
        }
    }

    /**
     * {@code -d}/{@code QEMU_LOG} and {@code -D}/{@code QEMU_LOG_FILENAME}: user mode logs
     * {@code strace} (to stderr), {@code in_asm} and {@code op}; anything else is refused by name
     * rather than ignored.
     */
    private static LogOptions userModeLog(GivenOptions given) throws LauncherException {
        String file = given.value("D", System.getenv("QEMU_LOG_FILENAME"));
        try {
            return LogOptions.parse(given.value("d", System.getenv("QEMU_LOG")), file, LogItem::supportedInUserMode);
        } catch (LogOptions.InvalidLogItem e) {
            throw new LauncherException(e.getMessage());
        }
    }

    /**
     * Opens the {@code -d in_asm,op} log ({@code -D} file or stderr) for the translators; it is
     * flushed and closed when the emulator exits. Strace lines keep going to stderr.
     */
    private static void startTranslationLog(LogOptions options) throws LauncherException {
        if (!TranslationLog.wanted(options)) {
            return;
        }
        try {
            GuestLog log = GuestLog.open(options);
            TranslationLog.activate(log);
            ExitActions.add(log::close);
        } catch (java.io.IOException e) {
            throw new LauncherException(e.getMessage());
        }
    }

    private static long parseSize(String text, long fallback) throws LauncherException {
        if (text == null) {
            return fallback;
        }
        String t = text.trim().toUpperCase();
        long unit = 1;
        if (t.endsWith("K")) { unit = 1L << 10; t = t.substring(0, t.length() - 1); }
        else if (t.endsWith("M")) { unit = 1L << 20; t = t.substring(0, t.length() - 1); }
        else if (t.endsWith("G")) { unit = 1L << 30; t = t.substring(0, t.length() - 1); }
        try {
            long v = Long.parseLong(t) * unit;
            if (v <= 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new LauncherException("invalid size '" + text + "'");
        }
    }
}
