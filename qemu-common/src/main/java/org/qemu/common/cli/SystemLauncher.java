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
import org.qemu.common.log.LogItem;
import org.qemu.common.log.LogOptions;
import org.qemu.common.monitor.ChardevSpec;
import org.qemu.common.monitor.MachineControlOptions;

/**
 * The common command line of the system emulators ({@code qemu-system-*}, {@code qemu-kvm}):
 * QEMU's option names, parsed into a {@link MachineRequest}.
 */
public abstract class SystemLauncher extends Launcher {
    private final String machineDescription;

    protected SystemLauncher(String program, String machineDescription) {
        super(program, true);
        this.machineDescription = machineDescription;
    }

    @Override
    protected void addOptions(Options options) {
        options.addOption(Option.builder("m").hasArg().argName("size").desc("configure guest RAM (default 128M; suffixes M, G)").get());
        options.addOption(Option.builder("smp").hasArg().argName("n").desc("set the number of CPUs to 'n'").get());
        options.addOption(Option.builder("kernel").hasArg().argName("bzImage").desc("use 'bzImage' as kernel image (Linux bzImage or multiboot ELF)").get());
        options.addOption(Option.builder("initrd").hasArg().argName("file").desc("use 'file' as initial ram disk").get());
        options.addOption(Option.builder("append").hasArg().argName("cmdline").desc("use 'cmdline' as kernel command line").get());
        options.addOption(Option.builder("drive").hasArg().argName("file=IMG,format=raw,if=virtio").desc("define a new drive").get());
        options.addOption(Option.builder("nographic").desc("disable graphical output; serial port on stdio").get());
        options.addOption(Option.builder("serial").hasArg().argName("dev").desc("redirect the serial port to char device 'dev' (stdio, null, file:PATH)").get());
        options.addOption(Option.builder("no-reboot").desc("exit instead of rebooting").get());
        options.addOption(Option.builder("cpu").hasArg().argName("model").desc("select CPU model (host, max, ...)").get());
        options.addOption(Option.builder("accel").hasArg().argName("kvm|tcg|kvm:tcg").desc("select accelerator(s), tried in order").get());
        options.addOption(Option.builder("enable-kvm").desc("enable KVM full virtualization support").get());
        options.addOption(Option.builder("machine").hasArg().argName("type").desc("select emulated machine").get());
        options.addOption(Option.builder("M").hasArg().argName("type").desc("select emulated machine").get());
        options.addOption(Option.builder("bios").hasArg().argName("file").desc("set the filename for the BIOS").get());
        options.addOption(Option.builder("display").hasArg().argName("type").desc("select display backend (none)").get());
        options.addOption(Option.builder("s").desc("shorthand for -gdb tcp::" + org.qemu.common.gdbstub.GdbEndpoint.DEFAULT_PORT).get());
        options.addOption(Option.builder("S").desc("freeze CPU at startup (use 'c' in gdb to start)").get());
        options.addOption(Option.builder("gdb").hasArg().argName("dev").desc("accept a gdb connection on 'dev' (tcp::PORT, tcp:HOST:PORT)").get());
        options.addOption(Option.builder("monitor").hasArg().argName("dev").desc("redirect the monitor to char device 'dev' (stdio, none, unix:PATH,server,nowait, tcp:HOST:PORT,server,nowait)").get());
        addControlOptions(options);
    }

    @Override
    protected String synopsis() {
        return program() + " [options] [disk_image]";
    }

    @Override
    protected String description() {
        return machineDescription + "\n\nOptions:";
    }

    @Override
    protected final int run(CommandLine line) throws LauncherException {
        if ("help".equals(line.getOptionValue("d"))) {
            System.out.print(LogOptions.usage(LogItem::supportedInSystemMode));
            return 0;
        }
        if ("help".equals(line.getOptionValue("trace"))) {
            System.out.print(org.qemu.common.log.TraceEvents.usage());
            return 0;
        }
        enableTraceEvents(line);
        return runMachine(request(line));
    }

    /** Builds and runs the machine; returns the process exit status. */
    protected abstract int runMachine(MachineRequest request) throws LauncherException;

    /** The accelerators this launcher tries, in order, when none is named. */
    protected List<String> defaultAccelerators() {
        return List.of("tcg");
    }

    private MachineRequest request(CommandLine line) throws LauncherException {
        long ram = line.hasOption("m") ? parseRam(line.getOptionValue("m")) : 128L << 20;
        int cpus = 1;
        if (line.hasOption("smp")) {
            String s = line.getOptionValue("smp");
            String first = s.split(",")[0].replace("cpus=", "");
            try {
                cpus = Integer.parseInt(first);
            } catch (NumberFormatException e) {
                throw new LauncherException("Invalid SMP CPUs " + s);
            }
            if (cpus < 1 || cpus > 255) {
                throw new LauncherException("Invalid SMP CPUs " + cpus);
            }
        }
        List<String> accel = new ArrayList<>();
        if (line.hasOption("enable-kvm")) {
            accel.add("kvm");
        }
        if (line.hasOption("accel")) {
            for (String a : line.getOptionValue("accel").split(",")[0].split(":")) {
                if (!a.equals("kvm") && !a.equals("tcg")) {
                    throw new LauncherException("invalid accelerator " + a);
                }
                accel.add(a);
            }
        }
        if (accel.isEmpty()) {
            accel.addAll(defaultAccelerators());
        }
        Path kernel = existingFile(line.getOptionValue("kernel"), "kernel");
        Path initrd = existingFile(line.getOptionValue("initrd"), "initrd");
        List<DriveSpec> drives = new ArrayList<>();
        if (line.getOptionValues("drive") != null) {
            for (String d : line.getOptionValues("drive")) {
                drives.add(DriveSpec.parse(d));
            }
        }
        for (String disk : operands(line)) {
            drives.add(DriveSpec.parse("file=" + disk));
        }
        // There is no display backend, so with or without -nographic the serial port is on stdio.
        // With QMP on stdio its JSON owns stdout: the serial port goes nowhere unless given.
        boolean qmpOnStdio = line.getOptionValues("qmp") != null && java.util.Arrays.asList(line.getOptionValues("qmp")).contains("stdio");
        String serial = line.getOptionValue("serial", qmpOnStdio ? "null" : "stdio");
        return new MachineRequest(ram, cpus, kernel, initrd, line.getOptionValue("append", ""),
                List.copyOf(drives), line.hasOption("nographic"), serial, line.hasOption("no-reboot"),
                line.getOptionValue("cpu"), List.copyOf(accel),
                line.getOptionValue("machine", line.getOptionValue("M")), line.getOptionValue("bios"), gdbEndpoint(line),
                controlOptions(line));
    }

    /** -s is -gdb tcp::1234; -S holds the CPUs until the debugger continues them. */
    private static org.qemu.common.gdbstub.GdbEndpoint gdbEndpoint(CommandLine line) throws LauncherException {
        boolean frozen = line.hasOption("S");
        String dev = line.getOptionValue("gdb");
        if (dev == null && line.hasOption("s")) {
            dev = "tcp::" + org.qemu.common.gdbstub.GdbEndpoint.DEFAULT_PORT;
        }
        if (dev == null) {
            // -S alone: the CPUs wait for a monitor's cont (controlOptions)
            return null;
        }
        try {
            org.qemu.common.gdbstub.GdbEndpoint endpoint = org.qemu.common.gdbstub.GdbEndpoint.chardev(dev, frozen);
            return endpoint;
        } catch (IllegalArgumentException e) {
            throw new LauncherException(e.getMessage());
        }
    }

    // --- -qmp, -monitor, -d, -D: how the outside reaches the running machine (docs/MONITOR.md) ---

    private static void addControlOptions(Options options) {
        options.addOption(Option.builder("qmp").hasArg().argName("dev").desc("like -monitor but opens in 'control' mode (QMP)").get());
        options.addOption(Option.builder("d").hasArg().argName("item[,...]").desc("enable logging of specified items (use '-d help' for a list of log items)").get());
        options.addOption(Option.builder("D").hasArg().argName("logfile").desc("output log to logfile (default stderr)").get());
        options.addOption(Option.builder("trace").hasArg().argName("[[enable=]pattern][,events=file]").desc("enable trace events ('-trace help' lists them)").get());
    }

    private static MachineControlOptions controlOptions(CommandLine line) throws LauncherException {
        try {
            List<ChardevSpec> qmp = new ArrayList<>();
            for (String spec : line.getOptionValues("qmp") == null ? new String[0] : line.getOptionValues("qmp")) {
                ChardevSpec c = ChardevSpec.parse("-qmp", spec);
                if (c.kind() != ChardevSpec.Kind.NONE) {
                    qmp.add(c);
                }
            }
            ChardevSpec monitor = line.hasOption("monitor") ? ChardevSpec.parse("-monitor", line.getOptionValue("monitor")) : null;
            if (monitor != null && monitor.kind() == ChardevSpec.Kind.NONE) {
                monitor = null;
            }
            long qmpOnStdio = qmp.stream().filter(c -> c.kind() == ChardevSpec.Kind.STDIO).count();
            boolean monitorOnStdio = monitor != null && monitor.kind() == ChardevSpec.Kind.STDIO;
            // -nographic puts the serial port on stdio; QMP there would interleave with it
            boolean serialOnStdio = "stdio".equals(line.getOptionValue("serial"))
                    || qmpOnStdio > 0 && line.hasOption("nographic") && !line.hasOption("serial");
            if (qmpOnStdio + (monitorOnStdio ? 1 : 0) + (serialOnStdio ? 1 : 0) > 1) {
                throw new LauncherException("cannot use stdio by multiple character devices");
            }
            LogOptions log = LogOptions.parse(line.getOptionValue("d"), line.getOptionValue("D"), LogItem::supportedInSystemMode);
            boolean gdbHoldsCpus = line.hasOption("gdb") || line.hasOption("s");
            boolean startPaused = line.hasOption("S") && !gdbHoldsCpus;
            if (startPaused && qmp.isEmpty() && monitor == null) {
                throw new LauncherException("-S: nothing could ever start the CPUs (give -qmp, -monitor, -s or -gdb)");
            }
            return new MachineControlOptions(List.copyOf(qmp), monitor, log, startPaused);
        } catch (ChardevSpec.InvalidChardev | LogOptions.InvalidLogItem e) {
            throw new LauncherException(e.getMessage());
        }
    }

    private static Path existingFile(String name, String what) throws LauncherException {
        if (name == null) {
            return null;
        }
        Path p = Path.of(name);
        if (!Files.isRegularFile(p)) {
            throw new LauncherException("could not open " + what + " file '" + name + "': No such file or directory");
        }
        if (!Files.isReadable(p)) {
            throw new LauncherException("could not open " + what + " file '" + name + "': Permission denied");
        }
        return p;
    }

    static long parseRam(String text) throws LauncherException {
        String t = text.trim();
        if (t.startsWith("size=")) {
            t = t.substring(5);
        }
        t = t.split(",")[0];
        long unit = 1L << 20; // QEMU reads a bare number as MiB
        char last = Character.toUpperCase(t.isEmpty() ? ' ' : t.charAt(t.length() - 1));
        switch (last) {
            case 'K' -> { unit = 1L << 10; t = t.substring(0, t.length() - 1); }
            case 'M' -> { unit = 1L << 20; t = t.substring(0, t.length() - 1); }
            case 'G' -> { unit = 1L << 30; t = t.substring(0, t.length() - 1); }
            case 'T' -> { unit = 1L << 40; t = t.substring(0, t.length() - 1); }
            default -> { }
        }
        try {
            long v = Long.parseLong(t);
            if (v <= 0 || v > (1L << 50) / unit) {
                throw new NumberFormatException();
            }
            return v * unit;
        } catch (NumberFormatException e) {
            throw new LauncherException("Invalid RAM size " + text);
        }
    }

    /** One {@code -drive} specification, e.g. {@code file=disk.img,format=raw,if=virtio}. */
    public record DriveSpec(Path file, String format, String iface, boolean readOnly) {
        static DriveSpec parse(String spec) throws LauncherException {
            Map<String, String> kv = new LinkedHashMap<>();
            for (String part : spec.split(",")) {
                int eq = part.indexOf('=');
                if (eq < 0) {
                    kv.put(part, "on");
                } else {
                    kv.put(part.substring(0, eq), part.substring(eq + 1));
                }
            }
            String file = kv.get("file");
            if (file == null) {
                throw new LauncherException("-drive " + spec + ": missing file=");
            }
            Path p = Path.of(file);
            if (!Files.isRegularFile(p)) {
                throw new LauncherException("-drive " + spec + ": Could not open '" + file + "': No such file or directory");
            }
            String format = kv.getOrDefault("format", "raw");
            if (!format.equals("raw")) {
                throw new LauncherException("-drive " + spec + ": format '" + format + "' is not supported (raw only)");
            }
            boolean ro = "on".equals(kv.get("readonly"));
            return new DriveSpec(p, format, kv.getOrDefault("if", "virtio"), ro);
        }
    }
}
