package org.qemu.common.board;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;

import org.qemu.common.hw.legacy.Serial16550;

/**
 * Connects stdin to the guest's serial port. On a terminal it switches to raw mode (restored at
 * exit) and honours QEMU's escapes: Ctrl-A x quits, Ctrl-A Ctrl-A sends one Ctrl-A.
 */
public final class StdioConsole {
    private static final int CTRL_A = 0x01;

    private final Serial16550 serial;
    private final Runnable quit;
    private final InputStream input;
    private final boolean terminal;
    private String savedTerminalMode;

    /** A console on {@code input}; escapes are honoured only when {@code terminal}. */
    public StdioConsole(Serial16550 serial, Runnable quit, InputStream input, boolean terminal) {
        this.serial = serial;
        this.quit = quit;
        this.input = input;
        this.terminal = terminal;
    }

    /** The process's stdin, treated as a terminal when it is one. */
    public static StdioConsole onStdin(Serial16550 serial, Runnable quit) {
        java.io.Console console = System.console();
        return new StdioConsole(serial, quit, System.in, console != null && console.isTerminal());
    }

    public void start() {
        if (terminal && input == System.in) {
            savedTerminalMode = stty("-g");
            if (savedTerminalMode != null) {
                stty("raw", "-echo");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> stty(savedTerminalMode.strip())));
            }
        }
        Thread reader = new Thread(this::pump, "console");
        reader.setDaemon(true);
        reader.start();
    }

    /** Copies input to the UART until end of file or {@code Ctrl-A x}; runs on its own thread after {@link #start}. */
    void pump() {
        InputStream in = input;
        byte[] buffer = new byte[64];
        boolean escape = false;
        try {
            while (true) {
                int n = in.read(buffer);
                if (n < 0) {
                    return;
                }
                for (int i = 0; i < n; i++) {
                    int b = buffer[i] & 0xff;
                    if (terminal && escape) {
                        escape = false;
                        if (b == 'x') {
                            System.err.print("\r\nQEMU: Terminated\r\n");
                            quit.run();
                            return;
                        }
                        if (b != CTRL_A) {
                            continue;
                        }
                    } else if (terminal && b == CTRL_A) {
                        escape = true;
                        continue;
                    }
                    while (!serial.canReceive()) {
                        TimeUnit.MILLISECONDS.sleep(1);
                    }
                    serial.receive(new byte[] {(byte) b}, 1);
                }
            }
        } catch (IOException | InterruptedException e) {
            // stdin closed: the guest simply gets no more input
        }
    }

    private static String stty(String... args) {
        try {
            String[] cmd = new String[args.length + 1];
            cmd[0] = "stty";
            System.arraycopy(args, 0, cmd, 1, args.length);
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes());
            return p.waitFor() == 0 ? out : null;
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }
}
