package org.qemu.ppc.linux;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** ppc32 system call numbers to kernel names, from the resource {@code syscalls.tbl} (numbers are facts of the kernel ABI). */
final class PpcSyscallTable {
    static final int SIZE = 1024;
    private static final String[] NAMES = load();

    private PpcSyscallTable() {
    }

    static String name(int number) {
        return number >= 0 && number < SIZE ? NAMES[number] : null;
    }

    private static String[] load() {
        String[] names = new String[SIZE];
        try (InputStream in = PpcSyscallTable.class.getResourceAsStream("syscalls.tbl");
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.trim().split("\\s+");
                names[Integer.parseInt(parts[0])] = parts[1];
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }
}
