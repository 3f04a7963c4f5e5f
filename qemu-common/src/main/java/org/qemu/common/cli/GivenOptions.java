package org.qemu.common.cli;

import java.util.ArrayList;
import java.util.List;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;

/**
 * The options a parsed command line holds, looked up by name as {@link CommandLine#hasOption},
 * {@link CommandLine#getOptionValue} and {@link CommandLine#getOptionValues} do (short or long
 * name, every occurrence of a repeated option), by a loop over the options given.
 *
 * <p>Why: Commons CLI 1.11 answers each of those with a stream pipeline and lambdas, which on a
 * user-mode emulator's start run in HotSpot's interpreter: the launcher's ~17 lookups were about
 * 3% of the main thread's samples in {@code busybox true} (async-profiler).
 */
final class GivenOptions {
    private final Option[] given;

    private GivenOptions(Option[] given) {
        this.given = given;
    }

    static GivenOptions of(CommandLine line) {
        return new GivenOptions(line.getOptions());
    }

    private static boolean named(Option o, String name) {
        return name.equals(o.getOpt()) || name.equals(o.getLongOpt());
    }

    boolean has(String name) {
        for (Option o : given) {
            if (named(o, name)) {
                return true;
            }
        }
        return false;
    }

    /** The first value of the option, or null when it was not given (or takes none). */
    String value(String name) {
        String[] values = values(name);
        return values == null ? null : values[0];
    }

    /** The first value of the option, or {@code fallback} when there is none. */
    String value(String name, String fallback) {
        String v = value(name);
        return v != null ? v : fallback;
    }

    /** Every value of every occurrence of the option, in order, or null when there is none. */
    String[] values(String name) {
        List<String> all = null;
        for (Option o : given) {
            if (named(o, name)) {
                for (String v : o.getValuesList()) {
                    if (all == null) {
                        all = new ArrayList<>();
                    }
                    all.add(v);
                }
            }
        }
        return all == null ? null : all.toArray(new String[0]);
    }
}
