package org.qemu.common.log;

/** The {@code -d} items QEMU documents; {@link #supportedInSystemMode} says which this build logs. */
public enum LogItem {
    OUT_ASM("out_asm", "show generated host assembly code for each compiled TB", false),
    IN_ASM("in_asm", "show target assembly code for each compiled TB", true),
    OP("op", "show micro ops for each compiled TB", true),
    OP_OPT("op_opt", "show micro ops after optimization", false),
    INT("int", "show interrupts/exceptions in short format", true),
    EXEC("exec", "show trace before each executed TB (lots of logs)", true),
    CPU("cpu", "show CPU registers before entering a TB (lots of logs)", true),
    PCALL("pcall", "x86 only: show protected mode far calls/returns/exceptions", false),
    CPU_RESET("cpu_reset", "show CPU state before CPU resets", false),
    UNIMP("unimp", "log unimplemented functionality", false),
    GUEST_ERRORS("guest_errors", "log when the guest OS does something invalid (eg accessing a non-existent register)", true),
    PAGE("page", "dump pages at beginning of user mode emulation", false),
    NOCHAIN("nochain", "do not chain compiled TBs so that \"exec\" and \"cpu\" show complete traces", false),
    STRACE("strace", "log every user-mode syscall, its input, and its result", false);

    private final String spelling;
    private final String help;
    private final boolean supportedInSystemMode;

    LogItem(String spelling, String help, boolean supportedInSystemMode) {
        this.spelling = spelling;
        this.help = help;
        this.supportedInSystemMode = supportedInSystemMode;
    }

    public String spelling() {
        return spelling;
    }

    public String help() {
        return help;
    }

    public boolean supportedInSystemMode() {
        return supportedInSystemMode;
    }

    /** What the user-mode emulators log: system calls and the translated blocks. */
    public boolean supportedInUserMode() {
        return this == STRACE || this == IN_ASM || this == OP;
    }

    public static LogItem bySpelling(String name) {
        for (LogItem item : values()) {
            if (item.spelling.equals(name)) {
                return item;
            }
        }
        return null;
    }
}
