package org.qemu.common.log;

import java.util.List;

/**
 * {@code -d in_asm} and {@code -d op}: each block, as it is translated, listed as guest
 * assembly (QEMU's shape: a dashed line, {@code IN: symbol}, one {@code 0x%08x:  text} line per
 * instruction, a blank line) and as the ops the translator bound for it ({@code OP:}, one op per
 * line). Translators ask {@link #active()} once per block: without these items it is null and
 * translation pays one volatile read.
 */
public final class TranslationLog {
    private static final String SEPARATOR = "----------------";
    private static volatile TranslationLog active;

    private final GuestLog log;
    private final boolean inAsm;
    private final boolean ops;
    private final boolean traceBlocks;
    /** Numbers blocks for the trace line (QEMU prints the TB's host address; a JVM has none to show). */
    private final java.util.concurrent.atomic.AtomicLong blocks = new java.util.concurrent.atomic.AtomicLong();
    private volatile SymbolLookup symbols = address -> "";

    /** Names the function an address lies in, for the {@code IN:} line ("" when unknown). */
    @FunctionalInterface
    public interface SymbolLookup {
        String nameAt(long address);
    }

    private TranslationLog(GuestLog log) {
        this.log = log;
        this.inAsm = log.has(LogItem.IN_ASM);
        this.ops = log.has(LogItem.OP);
        this.traceBlocks = TraceEvents.isEnabled("translate_block");
    }

    /**
     * Starts listing translated blocks into {@code log} when it asks for in_asm or op, or
     * {@code -trace} enabled {@code translate_block}; otherwise does nothing.
     */
    public static void activate(GuestLog log) {
        if (wanted(log.options())) {
            active = new TranslationLog(log);
        }
    }

    /** True when these options (with the enabled trace events) make translators report their blocks. */
    public static boolean wanted(LogOptions options) {
        return options.has(LogItem.IN_ASM) || options.has(LogItem.OP) || TraceEvents.isEnabled("translate_block");
    }

    public static void deactivate() {
        active = null;
    }

    /** The log to list blocks into, or null when neither in_asm nor op is on. */
    public static TranslationLog active() {
        return active;
    }

    public void useSymbols(SymbolLookup lookup) {
        symbols = lookup;
    }

    public boolean inAsm() {
        return inAsm;
    }

    public boolean ops() {
        return ops;
    }

    /** One line of an in_asm listing. */
    public static String instructionLine(long address, String text) {
        return String.format("0x%08x:  %s", address, text);
    }

    /**
     * Writes the listings of one block in one piece (lines of other CPUs never come between):
     * {@code instructions} are lines made by {@link #instructionLine}, {@code opLines} our ops.
     */
    public void block(long pc, List<String> instructions, List<String> opLines) {
        StringBuilder text = new StringBuilder();
        if (inAsm) {
            text.append(SEPARATOR).append('\n').append("IN: ").append(symbols.nameAt(pc)).append('\n');
            instructions.forEach(line -> text.append(line).append('\n'));
            text.append('\n');
        }
        if (ops) {
            text.append("OP:\n");
            opLines.forEach(line -> text.append(' ').append(line).append('\n'));
            text.append('\n');
        }
        if (traceBlocks) {
            // QEMU's log backend line; tb is our block number, and tb_code 0: no host address to show
            text.append(String.format("translate_block tb:0x%x, pc:0x%x, tb_code:0x0%n", blocks.incrementAndGet(), pc));
        }
        if (!text.isEmpty()) {
            log.write(text.toString());
        }
    }
}
