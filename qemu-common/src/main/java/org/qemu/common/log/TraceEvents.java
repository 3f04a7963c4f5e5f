package org.qemu.common.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * {@code -trace}: QEMU's trace events, by name or glob pattern ({@code -trace 'translate_*'},
 * {@code -trace enable=NAME}, {@code -trace events=FILE} with one pattern per line). This build
 * has one event, {@code translate_block}, written like QEMU's log backend writes it, one line per
 * translated block, where {@code -d} output goes. Patterns are matched when the emulator starts;
 * afterwards an event costs what {@link TranslationLog} costs.
 */
public final class TraceEvents {
    /** The events this build can emit. */
    public static final List<String> KNOWN = List.of("translate_block");

    private static volatile Set<String> enabled = Set.of();

    /** Thrown for an option value that cannot be used: one line for the user. */
    public static final class InvalidTrace extends Exception {
        InvalidTrace(String message) {
            super(message);
        }
    }

    private TraceEvents() {
    }

    /**
     * Parses every {@code -trace} value and enables what they name. A name matching no event is
     * a warning (returned), as in QEMU; a pattern matching none is silent.
     */
    public static List<String> enable(List<String> values) throws InvalidTrace {
        Set<String> chosen = new TreeSet<>();
        List<String> warnings = new ArrayList<>();
        for (String value : values) {
            for (String part : value.split(",")) {
                if (part.isEmpty()) {
                    continue;
                }
                if (part.startsWith("events=")) {
                    for (String pattern : readEventsFile(part.substring("events=".length()))) {
                        select(pattern, chosen, warnings);
                    }
                } else if (part.startsWith("enable=")) {
                    select(part.substring("enable=".length()), chosen, warnings);
                } else if (part.startsWith("file=")) {
                    throw new InvalidTrace("-trace " + part + ": trace files (the simple backend) are not supported in this build; events go to the -D log or stderr");
                } else {
                    select(part, chosen, warnings);
                }
            }
        }
        enabled = Set.copyOf(chosen);
        return warnings;
    }

    private static List<String> readEventsFile(String name) throws InvalidTrace {
        try {
            List<String> patterns = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of(name))) {
                String t = line.strip();
                if (!t.isEmpty() && !t.startsWith("#")) {
                    patterns.add(t);
                }
            }
            return patterns;
        } catch (IOException e) {
            throw new InvalidTrace("-trace events=" + name + ": cannot read the events file: " + e.getMessage());
        }
    }

    private static void select(String pattern, Set<String> chosen, List<String> warnings) {
        boolean negate = pattern.startsWith("-");
        String body = negate ? pattern.substring(1) : pattern;
        Pattern glob = Pattern.compile(Pattern.quote(body).replace("*", "\\E.*\\Q").replace("?", "\\E.\\Q"));
        boolean any = false;
        for (String event : KNOWN) {
            if (glob.matcher(event).matches()) {
                any = true;
                if (negate) {
                    chosen.remove(event);
                } else {
                    chosen.add(event);
                }
            }
        }
        if (!any && !body.contains("*") && !body.contains("?")) {
            warnings.add("trace event '" + body + "' does not exist");
        }
    }

    public static boolean isEnabled(String event) {
        return enabled.contains(event);
    }

    /** {@code -trace help}: the events of this build, one per line. */
    public static String usage() {
        return String.join("\n", KNOWN) + "\n";
    }
}
