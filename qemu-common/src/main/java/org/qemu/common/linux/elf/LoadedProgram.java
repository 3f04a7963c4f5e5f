package org.qemu.common.linux.elf;

/**
 * Where a program ended up in guest memory: what the initial stack's auxv and the first
 * guest instruction need.
 *
 * @param entry          where the guest starts (the interpreter's entry for a dynamic program)
 * @param programEntry   the executable's own entry (AT_ENTRY)
 * @param programHeaders guest address of the executable's program headers (AT_PHDR)
 * @param phent          size of one program header (AT_PHENT)
 * @param phnum          number of program headers (AT_PHNUM)
 * @param interpreterBase load address of the interpreter, 0 for a static program (AT_BASE)
 * @param brkStart       end of the executable's highest segment: the initial program break
 * @param loadBias       what was added to the executable's addresses (0 for ET_EXEC)
 */
public record LoadedProgram(long entry, long programEntry, long programHeaders, int phent, int phnum,
                            long interpreterBase, long brkStart, long loadBias) {
}
