package org.qemu.common.linux.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of an ELF file a program loader needs: the header and the program headers,
 * validated against the architecture the emulator runs (class, byte order, machine).
 * Field offsets are those of the System V gABI for ELFCLASS32 and ELFCLASS64.
 */
public final class ElfFile {
    public static final int ET_EXEC = 2;
    public static final int ET_DYN = 3;
    public static final int PT_LOAD = 1;
    public static final int PT_INTERP = 3;
    public static final int PT_PHDR = 6;
    public static final int PT_GNU_STACK = 0x6474e551;
    public static final int PF_X = 1;
    public static final int PF_W = 2;
    public static final int PF_R = 4;

    /** What the emulated architecture accepts. */
    public record Target(boolean is64Bit, ByteOrder order, int... machines) {
        boolean accepts(int machine) {
            for (int m : machines) {
                if (m == machine) {
                    return true;
                }
            }
            return false;
        }
    }

    public record ProgramHeader(int type, int flags, long offset, long vaddr, long fileSize, long memorySize, long align) {
    }

    /** The file's first bytes: all of it, or a head holding the headers when {@link #fileLength()} is larger. */
    private final byte[] bytes;
    private final long fileLength;
    private final int type;
    private final int machine;
    private final long entry;
    private final long phoff;
    private final int phentsize;
    private final List<ProgramHeader> programHeaders;

    private ElfFile(byte[] bytes, long fileLength, int type, int machine, long entry, long phoff, int phentsize,
                    List<ProgramHeader> phdrs) {
        this.bytes = bytes;
        this.fileLength = fileLength;
        this.type = type;
        this.machine = machine;
        this.entry = entry;
        this.phoff = phoff;
        this.phentsize = phentsize;
        this.programHeaders = phdrs;
    }

    /** True if the bytes start with the ELF magic (whatever the architecture). */
    public static boolean hasElfMagic(byte[] bytes) {
        return bytes.length >= 4 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F';
    }

    /** True if the ELF identification and header fit the target (class, byte order, machine, type). */
    public static boolean matchesTarget(byte[] bytes, Target target) {
        if (!hasElfMagic(bytes) || bytes.length < 20) {
            return false;
        }
        ByteOrder order = bytes[5] == 1 ? ByteOrder.LITTLE_ENDIAN : bytes[5] == 2 ? ByteOrder.BIG_ENDIAN : null;
        if (bytes[4] != (target.is64Bit() ? 2 : 1) || order != target.order()) {
            return false;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(order);
        int type = b.getShort(16) & 0xffff;
        return target.accepts(b.getShort(18) & 0xffff) && (type == ET_EXEC || type == ET_DYN);
    }

    /** Parses and validates; every rejection is an {@link ElfFormatException} (never an index error). */
    public static ElfFile parse(byte[] bytes, Target target) throws ElfFormatException {
        return parse(bytes, bytes.length, target);
    }

    /**
     * Parses the head of a file of {@code fileLength} bytes: the ELF header, the program headers
     * and the interpreter's path must lie in {@code head} (an {@link ElfFormatException} otherwise),
     * the segments anywhere in the file.
     */
    public static ElfFile parse(byte[] head, long fileLength, Target target) throws ElfFormatException {
        byte[] bytes = head;
        if (!hasElfMagic(bytes) || bytes.length < 52) {
            throw invalid();
        }
        int elfClass = bytes[4];
        int data = bytes[5];
        if (elfClass != (target.is64Bit() ? 2 : 1)) {
            throw invalid();
        }
        ByteOrder order = data == 1 ? ByteOrder.LITTLE_ENDIAN : data == 2 ? ByteOrder.BIG_ENDIAN : null;
        if (order != target.order()) {
            throw invalid();
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(order);
        boolean w64 = target.is64Bit();
        if (w64 && bytes.length < 64) {
            throw invalid();
        }
        int type = b.getShort(16) & 0xffff;
        int machine = b.getShort(18) & 0xffff;
        if (!target.accepts(machine) || (type != ET_EXEC && type != ET_DYN)) {
            throw invalid();
        }
        long entry = w64 ? b.getLong(24) : b.getInt(24) & 0xffffffffL;
        long phoff = w64 ? b.getLong(32) : b.getInt(28) & 0xffffffffL;
        int phentsize = b.getShort(w64 ? 54 : 42) & 0xffff;
        int phnum = b.getShort(w64 ? 56 : 44) & 0xffff;
        int expectedEntSize = w64 ? 56 : 32;
        if (phentsize != expectedEntSize || phnum == 0 || phnum > 512
                || phoff < 0 || phoff + (long) phnum * phentsize > bytes.length) {
            throw invalid();
        }
        List<ProgramHeader> phdrs = new ArrayList<>(phnum);
        for (int i = 0; i < phnum; i++) {
            int o = (int) (phoff + (long) i * phentsize);
            ProgramHeader ph = w64
                    ? new ProgramHeader(b.getInt(o), b.getInt(o + 4), b.getLong(o + 8), b.getLong(o + 16),
                            b.getLong(o + 32), b.getLong(o + 40), b.getLong(o + 48))
                    : new ProgramHeader(b.getInt(o), b.getInt(o + 24), u32(b, o + 4), u32(b, o + 8),
                            u32(b, o + 16), u32(b, o + 20), u32(b, o + 28));
            if (ph.type() == PT_LOAD || ph.type() == PT_INTERP) {
                long within = ph.type() == PT_INTERP ? bytes.length : fileLength;
                if (ph.offset() < 0 || ph.fileSize() < 0 || ph.offset() + ph.fileSize() > within
                        || ph.memorySize() < ph.fileSize()) {
                    throw invalid();
                }
            }
            phdrs.add(ph);
        }
        // Plain loops here and below, no streams: this runs at every start-up, still in the
        // JVM's interpreter, where a stream pipeline costs milliseconds of set-up.
        boolean loadable = false;
        for (ProgramHeader p : phdrs) {
            loadable |= p.type() == PT_LOAD;
        }
        if (!loadable) {
            throw invalid();
        }
        return new ElfFile(bytes, fileLength, type, machine, entry, phoff, phentsize, List.copyOf(phdrs));
    }

    private static long u32(ByteBuffer b, int offset) {
        return b.getInt(offset) & 0xffffffffL;
    }

    private static ElfFormatException invalid() {
        return new ElfFormatException("Invalid ELF image for this architecture");
    }

    /** The file's bytes: all of them when {@link #hasWholeFile()}, else the head that was parsed. */
    public byte[] bytes() {
        return bytes;
    }

    public long fileLength() {
        return fileLength;
    }

    public boolean hasWholeFile() {
        return bytes.length == fileLength;
    }

    public int type() {
        return type;
    }

    public boolean isPositionIndependent() {
        return type == ET_DYN;
    }

    public int machine() {
        return machine;
    }

    public long entry() {
        return entry;
    }

    public long programHeaderOffset() {
        return phoff;
    }

    public int programHeaderEntrySize() {
        return phentsize;
    }

    public List<ProgramHeader> programHeaders() {
        return programHeaders;
    }

    /** The PT_INTERP path (dynamic executables), or null for a static one. */
    public String interpreter() throws ElfFormatException {
        for (ProgramHeader ph : programHeaders) {
            if (ph.type() == PT_INTERP) {
                int start = (int) ph.offset();
                int end = start;
                int limit = (int) (ph.offset() + ph.fileSize());
                while (end < limit && bytes[end] != 0) {
                    end++;
                }
                if (end == start) {
                    throw invalid();
                }
                return new String(bytes, start, end - start, java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** Lowest and highest (exclusive) virtual addresses covered by PT_LOAD segments. */
    public long lowestLoadAddress() {
        long lowest = Long.MAX_VALUE;
        for (ProgramHeader p : programHeaders) {
            if (p.type() == PT_LOAD) {
                lowest = Math.min(lowest, p.vaddr());
            }
        }
        return lowest == Long.MAX_VALUE ? 0 : lowest;
    }

    public long highestLoadAddress() {
        long highest = Long.MIN_VALUE;
        for (ProgramHeader p : programHeaders) {
            if (p.type() == PT_LOAD) {
                highest = Math.max(highest, p.vaddr() + p.memorySize());
            }
        }
        return highest == Long.MIN_VALUE ? 0 : highest;
    }
}
