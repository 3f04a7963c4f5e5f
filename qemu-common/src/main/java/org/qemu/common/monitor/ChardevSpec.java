package org.qemu.common.monitor;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A character device as {@code -qmp} and {@code -monitor} name it, in QEMU's spellings:
 * {@code unix:PATH,server,nowait}, {@code unix:PATH,server=on,wait=off},
 * {@code tcp:HOST:PORT,server,nowait} (an empty host listens on every address), {@code stdio},
 * {@code none}. Only listening sockets are built; {@code wait} (the default, as in QEMU) holds
 * the guest until the first client connects.
 */
public record ChardevSpec(Kind kind, Path path, String host, int port, boolean waitForClient) {
    public enum Kind { UNIX, TCP, STDIO, NONE }

    /** Thrown for a spelling this build does not take: the message is the one line the user sees. */
    public static final class InvalidChardev extends Exception {
        InvalidChardev(String message) {
            super(message);
        }
    }

    public static ChardevSpec parse(String option, String text) throws InvalidChardev {
        String[] parts = text.split(",");
        String head = parts[0];
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            int eq = p.indexOf('=');
            if (eq < 0) {
                // QEMU's old boolean spelling: "server" is server=on, "nowait" is wait=off
                if (p.startsWith("no") && !p.equals("none")) {
                    flags.put(p.substring(2), "off");
                } else {
                    flags.put(p, "on");
                }
            } else {
                flags.put(p.substring(0, eq), p.substring(eq + 1));
            }
        }
        for (String key : flags.keySet()) {
            if (!key.equals("server") && !key.equals("wait")) {
                throw new InvalidChardev(option + " " + text + ": option '" + key + "' is not supported in this build");
            }
        }
        if (head.equals("stdio") || head.equals("none") || head.equals("null")) {
            if (!flags.isEmpty()) {
                throw new InvalidChardev(option + " " + text + ": '" + head + "' takes no options");
            }
            return new ChardevSpec(head.equals("stdio") ? Kind.STDIO : Kind.NONE, null, null, 0, false);
        }
        boolean server = isOn(option, text, flags.getOrDefault("server", "off"));
        boolean wait = isOn(option, text, flags.getOrDefault("wait", "on"));
        if (head.startsWith("unix:")) {
            String path = head.substring(5);
            if (path.isEmpty()) {
                throw new InvalidChardev(option + " " + text + ": chardev: socket: no path given");
            }
            requireServer(option, text, server);
            return new ChardevSpec(Kind.UNIX, Path.of(path), null, 0, wait);
        }
        if (head.startsWith("tcp:")) {
            String address = head.substring(4);
            int colon = address.lastIndexOf(':');
            if (colon < 0) {
                throw new InvalidChardev(option + " " + text + ": host and/or port not specified");
            }
            int port;
            try {
                port = Integer.parseInt(address.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new InvalidChardev(option + " " + text + ": invalid port '" + address.substring(colon + 1) + "'");
            }
            if (port < 0 || port > 65535) {
                throw new InvalidChardev(option + " " + text + ": invalid port '" + port + "'");
            }
            requireServer(option, text, server);
            return new ChardevSpec(Kind.TCP, null, address.substring(0, colon), port, wait);
        }
        throw new InvalidChardev(option + " " + text + ": character device '" + head.split(":")[0]
                + "' is not supported in this build (unix:PATH,server | tcp:HOST:PORT,server | stdio | none)");
    }

    private static boolean isOn(String option, String text, String value) throws InvalidChardev {
        return switch (value) {
            case "on", "yes", "true", "y" -> true;
            case "off", "no", "false", "n" -> false;
            default -> throw new InvalidChardev(option + " " + text + ": '" + value + "' is not a valid boolean (on/off)");
        };
    }

    private static void requireServer(String option, String text, boolean server) throws InvalidChardev {
        if (!server) {
            throw new InvalidChardev(option + " " + text + ": connecting out to a client socket is not supported in this build (add ,server)");
        }
    }

    @Override
    public String toString() {
        return switch (kind) {
            case UNIX -> "unix:" + path;
            case TCP -> "tcp:" + host + ":" + port;
            case STDIO -> "stdio";
            case NONE -> "none";
        };
    }
}
