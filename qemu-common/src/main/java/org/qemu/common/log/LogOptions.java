package org.qemu.common.log;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/** {@code -d item,...} and {@code -D file}: what to log and where (stderr when no file). */
public record LogOptions(Set<LogItem> items, Path file) {
    public static final LogOptions NONE = new LogOptions(Set.of(), null);

    /** Thrown for an item QEMU does not know or this build does not log: one line for the user. */
    public static final class InvalidLogItem extends Exception {
        InvalidLogItem(String message) {
            super(message);
        }
    }

    /**
     * Parses {@code -d}'s list. {@code supported} says what this emulator logs; an item QEMU has
     * but this build does not log is refused by name rather than silently ignored.
     */
    public static LogOptions parse(String items, String file, Predicate<LogItem> supported) throws InvalidLogItem {
        // not an EnumSet: its first use finds the enum's constants by reflection (a method accessor
        // spun in HotSpot's interpreter, ~2% of busybox true's main thread, async-profiler)
        Set<LogItem> chosen = new java.util.LinkedHashSet<>();
        if (items != null) {
            for (String name : items.split(",")) {
                if (name.isEmpty()) {
                    continue;
                }
                LogItem item = LogItem.bySpelling(name);
                if (item == null) {
                    throw new InvalidLogItem("-d " + name + ": unknown logging item (-d help lists them)");
                }
                if (!supported.test(item)) {
                    throw new InvalidLogItem("-d " + name + ": logging '" + name + "' is not supported in this build");
                }
                chosen.add(item);
            }
        }
        return new LogOptions(Set.copyOf(chosen), file == null ? null : Path.of(file));
    }

    /** {@code -d help}: QEMU's list, with what this build does not log marked. */
    public static String usage(Predicate<LogItem> supported) {
        List<String> lines = new ArrayList<>();
        lines.add("Log items (comma separated):");
        for (LogItem item : LogItem.values()) {
            lines.add(String.format("%-15s %s%s", item.spelling(), item.help(), supported.test(item) ? "" : " (not supported in this build)"));
        }
        return String.join("\n", lines) + "\n";
    }

    public boolean has(LogItem item) {
        return items.contains(item);
    }
}
