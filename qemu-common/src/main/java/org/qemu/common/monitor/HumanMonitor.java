package org.qemu.common.monitor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.qemu.common.board.CpuInfo;
import org.qemu.common.board.ManagedMachine;
import org.qemu.common.cli.QemuVersion;

/**
 * The human monitor (HMP): one command per line, QEMU's names and output wording for the
 * commands built here. Anything else gets QEMU's "unknown command" line; nothing a user types
 * ends the machine except {@code quit}.
 */
public final class HumanMonitor {
    static final String PROMPT = "(qemu) ";

    private final ManagedMachine machine;

    public HumanMonitor(ManagedMachine machine) {
        this.machine = machine;
    }

    /** Serves one console until its input ends or {@code quit}; runs on the calling thread. */
    public void serve(InputStream input, PrintStream output) {
        output.print("QEMU " + QemuVersion.version() + " monitor - type 'help' for more information\n" + PROMPT);
        output.flush();
        try {
            BufferedReader reader = new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                output.print(execute(line));
                if (line.trim().equals("quit") || line.trim().equals("q")) {
                    output.flush();
                    return;
                }
                output.print(PROMPT);
                output.flush();
            }
        } catch (IOException e) {
            // the console is gone; the machine goes on
        }
    }

    /** Runs one command line and returns what the monitor prints for it. */
    public String execute(String commandLine) {
        String[] words = commandLine.trim().split("\\s+");
        if (words.length == 0 || words[0].isEmpty()) {
            return "";
        }
        try {
            return switch (words[0]) {
                case "info" -> info(words.length > 1 ? words[1] : "");
                case "stop" -> {
                    machine.pause();
                    yield "";
                }
                case "cont", "c" -> {
                    machine.resume();
                    yield "";
                }
                case "system_reset" -> {
                    machine.requestReset();
                    yield "";
                }
                case "system_powerdown" -> {
                    machine.requestPowerdown();
                    yield "";
                }
                case "quit", "q" -> {
                    machine.quit();
                    yield "";
                }
                case "help", "?" -> """
                        cont|c  -- resume emulation
                        help|? [cmd] -- show the help
                        info [subcommand] -- show various information about the system state
                        quit|q  -- quit the emulator
                        stop  -- stop emulation
                        system_powerdown  -- send system power down event
                        system_reset  -- reset the system
                        """;
                default -> "unknown command: '" + words[0] + "'\n";
            };
        } catch (RuntimeException e) {
            return "Error: " + e.getMessage() + "\n";
        }
    }

    private String info(String what) {
        return switch (what) {
            case "status" -> "VM status: " + machine.status() + "\n";
            case "registers" -> machine.registerDump(0);
            case "version" -> QemuVersion.version() + "\n";
            case "cpus" -> {
                StringBuilder s = new StringBuilder();
                for (CpuInfo cpu : machine.cpus()) {
                    s.append(cpu.index() == 0 ? "* " : "  ").append("CPU #").append(cpu.index())
                            .append(": thread_id=").append(cpu.threadId()).append('\n');
                }
                yield s.toString();
            }
            case "" -> """
                    info cpus  -- show infos for each CPU
                    info registers  -- show the cpu registers
                    info status  -- show the current VM status (running|paused)
                    info version  -- show the version of QEMU
                    """;
            default -> "unknown command: 'info " + what + "'\n";
        };
    }
}
