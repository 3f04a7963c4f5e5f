package org.qemu.common.log;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Where {@code -d} items are written: {@code -D file} (created or truncated, as QEMU does) or
 * stderr. Lines from different CPU threads never interleave within a line.
 */
public final class GuestLog implements AutoCloseable {
    private final LogOptions options;
    private final PrintStream out;
    private final boolean ownsStream;

    private GuestLog(LogOptions options, PrintStream out, boolean ownsStream) {
        this.options = options;
        this.out = out;
        this.ownsStream = ownsStream;
    }

    /** Opens the log; an unwritable {@code -D} file is an {@link IOException} whose message is the user's one line. */
    public static GuestLog open(LogOptions options) throws IOException {
        if (options.file() == null) {
            return new GuestLog(options, System.err, false);
        }
        try {
            OutputStream file = new FileOutputStream(options.file().toFile());
            return new GuestLog(options, new PrintStream(file, false, StandardCharsets.UTF_8), true);
        } catch (IOException e) {
            throw new IOException("could not open log file '" + options.file() + "': " + e.getMessage(), e);
        }
    }

    public LogOptions options() {
        return options;
    }

    public boolean has(LogItem item) {
        return options.has(item);
    }

    /** Appends {@code text}, ending it with a newline if it has none. */
    public void write(String text) {
        synchronized (out) {
            out.print(text.endsWith("\n") ? text : text + "\n");
            if (!ownsStream) {
                out.flush();
            }
        }
    }

    @Override
    public void close() {
        synchronized (out) {
            out.flush();
            if (ownsStream) {
                out.close();
            }
        }
    }
}
