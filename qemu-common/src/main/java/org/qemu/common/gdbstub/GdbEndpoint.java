package org.qemu.common.gdbstub;

/**
 * Where the gdbstub listens and whether the guest waits for the debugger before its first
 * instruction. {@code host} empty means every interface (as QEMU's {@code tcp::PORT}).
 */
public record GdbEndpoint(String host, int port, boolean startStopped) {

    /** QEMU's default for {@code -s}: {@code -gdb tcp::1234}. */
    public static final int DEFAULT_PORT = 1234;

    /**
     * The user-mode {@code -g PORT} / {@code QEMU_GDB=PORT} form: a TCP port; the guest waits
     * for the debugger before its first instruction.
     */
    public static GdbEndpoint userModePort(String text) {
        return new GdbEndpoint("", parsePort(text, text), true);
    }

    /**
     * The system {@code -gdb DEV} form: {@code tcp::PORT}, {@code tcp:HOST:PORT} (or
     * {@code :PORT}, {@code HOST:PORT}); null for {@code none}.
     */
    public static GdbEndpoint chardev(String dev, boolean startStopped) {
        String spec = dev.trim();
        if (spec.equals("none")) {
            return null;
        }
        if (spec.startsWith("unix:") || spec.startsWith("stdio") || spec.startsWith("pty")) {
            throw new IllegalArgumentException("gdbstub: character device '" + dev + "' is not supported (tcp only)");
        }
        if (spec.startsWith("tcp:")) {
            spec = spec.substring(4);
        }
        int comma = spec.indexOf(',');
        if (comma >= 0) {
            spec = spec.substring(0, comma); // server, nowait, ... are how it always works here
        }
        int colon = spec.lastIndexOf(':');
        String host = colon < 0 ? "" : spec.substring(0, colon);
        String port = colon < 0 ? spec : spec.substring(colon + 1);
        return new GdbEndpoint(host, parsePort(port, dev), startStopped);
    }

    private static int parsePort(String text, String whole) {
        try {
            int port = Integer.parseInt(text.trim());
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("gdbstub: invalid port in '" + whole + "'");
        }
    }
}
