package org.qemu.common.linux.elf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import org.qemu.common.linux.AddressSpace;
import org.qemu.common.linux.host.HostNr;
import org.qemu.common.linux.host.HostSyscall;
import org.qemu.common.linux.host.Scratch;
import org.qemu.common.memory.GuestMemory;

/**
 * Maps an ELF executable (ET_EXEC at its link addresses, ET_DYN at a load bias) and its
 * PT_INTERP interpreter, looked up under the -L prefix first, into guest memory.
 */
public final class ElfLoader {
    private final AddressSpace space;
    private final ElfFile.Target target;
    private final Path ldPrefix;
    /** Where position-independent executables go (Linux's ELF_ET_DYN_BASE for the ABI). */
    private final long pieBase;

    public ElfLoader(AddressSpace space, ElfFile.Target target, Path ldPrefix, long pieBase) {
        this.space = space;
        this.target = target;
        this.ldPrefix = ldPrefix;
        this.pieBase = pieBase;
    }

    /** Reads a whole file; the message of the exception is ready for the user. */
    public static byte[] readFile(Path path) throws ElfFormatException {
        try {
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new ElfFormatException("Could not open '" + path + "': No such file or directory");
        } catch (IOException e) {
            throw new ElfFormatException("Could not open '" + path + "': " + e.getMessage());
        }
    }

    /** How much of a program is read to parse it: its headers, not its code (mapped from the file). */
    private static final int HEAD = 64 * 1024;

    /**
     * Reads and parses a program: only its head when the headers lie there, since reading a
     * whole 2 MiB busybox into the Java heap took 15-25 ms of CPU at start-up (fresh heap and
     * NIO's temporary native buffer faulted in); reading 64 KiB takes under 1 ms. The message of
     * the exception is ready for the user.
     */
    public static ElfFile readProgram(Path path, ElfFile.Target target) throws ElfFormatException {
        long length;
        byte[] head;
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(path)) {
            length = channel.size();
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate((int) Math.min(length, HEAD));
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                // read until the head is full or the file ends
            }
            head = buffer.position() == buffer.capacity() ? buffer.array()
                    : java.util.Arrays.copyOf(buffer.array(), buffer.position());
        } catch (NoSuchFileException e) {
            throw new ElfFormatException("Could not open '" + path + "': No such file or directory");
        } catch (IOException e) {
            throw new ElfFormatException("Could not open '" + path + "': " + e.getMessage());
        }
        if (head.length < length) {
            try {
                return ElfFile.parse(head, length, target);
            } catch (ElfFormatException e) {
                // Headers past the head, or no ELF at all: the whole file decides, as before.
            }
        }
        return ElfFile.parse(readFile(path), target);
    }

    /** Finds the interpreter: under the prefix if it exists there, else the host path. */
    public Path resolveInterpreter(String interp) {
        if (ldPrefix != null && interp.startsWith("/")) {
            Path prefixed = Path.of(ldPrefix.toString(), interp);
            if (Files.exists(prefixed)) {
                return prefixed;
            }
        }
        return Path.of(interp);
    }

    public LoadedProgram load(ElfFile program) throws ElfFormatException {
        return load(program, null);
    }

    /**
     * Loads {@code program}, read from {@code programFile} (null when it has no file: its
     * segments are copied in), and its interpreter.
     */
    public LoadedProgram load(ElfFile program, Path programFile) throws ElfFormatException {
        String interpPath = program.interpreter();
        ElfFile interp = null;
        Path resolved = null;
        if (interpPath != null) {
            resolved = resolveInterpreter(interpPath);
            if (!Files.isRegularFile(resolved)) {
                throw new ElfFormatException("Could not open '" + interpPath + "': No such file or directory");
            }
            interp = readProgram(resolved, target);
        }
        long bias = 0;
        if (program.isPositionIndependent()) {
            bias = AddressSpace.pageDown(pieBase - AddressSpace.pageDown(program.lowestLoadAddress()));
        }
        long end = mapSegments(program, bias, programFile);
        long interpBase = 0;
        long entry = program.entry() + bias;
        if (interp != null) {
            long span = AddressSpace.pageUp(interp.highestLoadAddress()) - AddressSpace.pageDown(interp.lowestLoadAddress());
            long at = space.findFree(span);
            if (at < 0) {
                throw new ElfFormatException("Not enough memory to load the interpreter");
            }
            long interpBias = at - AddressSpace.pageDown(interp.lowestLoadAddress());
            mapSegments(interp, interpBias, resolved);
            interpBase = at;
            entry = interp.entry() + interpBias;
        }
        return new LoadedProgram(entry, program.entry() + bias, programHeaderAddress(program) + bias,
                program.programHeaderEntrySize(), program.programHeaders().size(), interpBase, end, bias);
    }

    private static long programHeaderAddress(ElfFile elf) {
        for (ElfFile.ProgramHeader ph : elf.programHeaders()) {
            if (ph.type() == ElfFile.PT_PHDR) {
                return ph.vaddr();
            }
        }
        long phoff = elf.programHeaderOffset();
        for (ElfFile.ProgramHeader ph : elf.programHeaders()) {
            if (ph.type() == ElfFile.PT_LOAD && phoff >= ph.offset() && phoff < ph.offset() + ph.fileSize()) {
                return ph.vaddr() + (phoff - ph.offset());
            }
        }
        return 0;
    }

    /**
     * Maps every PT_LOAD segment; segments sharing a page get the union of their rights.
     * Returns the end of the highest segment (the initial break).
     */
    private long mapSegments(ElfFile elf, long bias, Path file) throws ElfFormatException {
        GuestMemory memory = space.memory();
        long lo = AddressSpace.pageDown(elf.lowestLoadAddress() + bias);
        long hi = AddressSpace.pageUp(elf.highestLoadAddress() + bias);
        if (lo < 0 || hi > memory.size() || hi <= lo) {
            throw new ElfFormatException("Invalid ELF image for this architecture");
        }
        if (!memory.isFree(lo, hi - lo)) {
            throw new ElfFormatException("Invalid ELF image for this architecture");
        }
        int pages = (int) ((hi - lo) / AddressSpace.PAGE);
        int[] rights = new int[pages];
        boolean[] used = new boolean[pages];
        memory.map(lo, hi - lo, GuestMemory.READ | GuestMemory.WRITE);
        int fd = file == null ? -1 : openForMapping(file);
        byte[] whole = null;
        long end = 0;
        try {
            for (ElfFile.ProgramHeader ph : elf.programHeaders()) {
                if (ph.type() != ElfFile.PT_LOAD || ph.memorySize() == 0) {
                    continue;
                }
                long start = ph.vaddr() + bias;
                if (!(fd >= 0 && mapFromFile(elf, ph, bias, fd))) {
                    if (!elf.hasWholeFile() && whole == null) {
                        whole = readFile(file);
                    }
                    byte[] bytes = elf.hasWholeFile() ? elf.bytes() : whole;
                    if (ph.offset() + ph.fileSize() > bytes.length) {
                        throw new ElfFormatException("Invalid ELF image for this architecture");
                    }
                    memory.load(start, bytes, (int) ph.offset(), (int) ph.fileSize());
                }
                end = Math.max(end, start + ph.memorySize());
            }
        } finally {
            if (fd >= 0) {
                HostSyscall.call(HostNr.CLOSE, fd);
            }
        }
        for (ElfFile.ProgramHeader ph : elf.programHeaders()) {
            if (ph.type() != ElfFile.PT_LOAD || ph.memorySize() == 0) {
                continue;
            }
            long start = ph.vaddr() + bias;
            int prot = toProtection(ph.flags());
            for (long p = AddressSpace.pageDown(start); p < start + ph.memorySize(); p += AddressSpace.PAGE) {
                int i = (int) ((p - lo) / AddressSpace.PAGE);
                rights[i] |= prot;
                used[i] = true;
            }
        }
        for (int i = 0; i < pages; i++) {
            long page = lo + i * AddressSpace.PAGE;
            if (used[i]) {
                memory.protect(page, AddressSpace.PAGE, rights[i]);
            } else {
                memory.unmap(page, AddressSpace.PAGE);
            }
        }
        return end;
    }

    /** The file opened read-only for mmap, or -1 (then the segments are copied from the bytes read). */
    private static int openForMapping(Path file) {
        long fd = HostSyscall.call(HostNr.OPEN, Scratch.begin().cString(file.toString()).address(), O_RDONLY | O_CLOEXEC);
        return fd < 0 ? -1 : (int) fd;
    }

    /**
     * Maps the file part of one segment straight from the file, as Linux's loader does: the guest
     * touches a small part of a large program, and only those pages are read. Possible when the
     * segment's address and file offset agree within a page and no other segment shares its
     * pages (their contents would differ). The rest of the last page, past the file part, is the
     * start of the segment's zero-filled part. Returns false to have the segment copied instead.
     */
    private boolean mapFromFile(ElfFile elf, ElfFile.ProgramHeader ph, long bias, int fd) {
        long start = ph.vaddr() + bias;
        if (ph.fileSize() == 0 || ((start - ph.offset()) & (AddressSpace.PAGE - 1)) != 0) {
            return false;
        }
        long first = AddressSpace.pageDown(start);
        long fileEnd = start + ph.fileSize();
        long last = AddressSpace.pageUp(fileEnd);
        long offset = ph.offset() - (start - first);
        if (offset < 0 || ph.offset() + ph.fileSize() > elf.fileLength()) {
            return false;
        }
        for (ElfFile.ProgramHeader other : elf.programHeaders()) {
            if (other == ph || other.type() != ElfFile.PT_LOAD || other.memorySize() == 0) {
                continue;
            }
            long otherFirst = AddressSpace.pageDown(other.vaddr() + bias);
            long otherEnd = AddressSpace.pageUp(other.vaddr() + bias + other.memorySize());
            if (otherFirst < last && otherEnd > first) {
                return false;
            }
        }
        GuestMemory memory = space.memory();
        if (!memory.mapFile(first, last - first, fd, offset, GuestMemory.READ | GuestMemory.WRITE)) {
            return false;
        }
        if (fileEnd < last) {
            memory.segment().asSlice(fileEnd, last - fileEnd).fill((byte) 0);
        }
        return true;
    }

    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;

    private static int toProtection(int flags) {
        int prot = 0;
        if ((flags & ElfFile.PF_R) != 0) {
            prot |= GuestMemory.READ;
        }
        if ((flags & ElfFile.PF_W) != 0) {
            prot |= GuestMemory.WRITE;
        }
        if ((flags & ElfFile.PF_X) != 0) {
            // Linux on x86 without NX lets READ_IMPLIES_EXEC-style fetches of readable pages; keep it strict: X implies R.
            prot |= GuestMemory.EXEC | GuestMemory.READ;
        }
        return prot;
    }
}
