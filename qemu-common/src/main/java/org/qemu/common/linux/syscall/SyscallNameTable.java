package org.qemu.common.linux.syscall;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A target's system call numbers to kernel names, read from a resource of "number name" lines
 * ('#' starts a comment line). Targets generate the resource from their kernel's asm/unistd
 * header so the numbers stay facts of the ABI rather than hand-typed code.
 */
public final class SyscallNameTable {
    private final String[] names;

    private SyscallNameTable(String[] names) {
        this.names = names;
    }

    /** Loads {@code resource} next to {@code owner}; numbers must be below {@code size}. */
    public static SyscallNameTable load(Class<?> owner, String resource, int size) {
        String[] names = new String[size];
        InputStream in = owner.getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("system call table resource missing: " + resource);
        }
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            String line;
            while ((line = r.readLine()) != null) {
                String entry = line.strip();
                if (entry.isEmpty() || entry.startsWith("#")) {
                    continue;
                }
                // split by hand: String.split with a regex compiles a Pattern per line, at every start-up
                int space = 0;
                while (space < entry.length() && !Character.isWhitespace(entry.charAt(space))) {
                    space++;
                }
                String rest = entry.substring(space).strip();
                int end = 0;
                while (end < rest.length() && !Character.isWhitespace(rest.charAt(end))) {
                    end++;
                }
                names[Integer.parseInt(entry.substring(0, space))] = rest.substring(0, end);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new SyscallNameTable(names);
    }

    /** Kernel name of {@code number}, or null if the ABI has none there. */
    public String name(int number) {
        return number >= 0 && number < names.length ? names[number] : null;
    }

    /** Highest number plus one that the table can hold. */
    public int size() {
        return names.length;
    }
}
