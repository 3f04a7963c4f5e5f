package org.qemu.common.linux.elf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import org.qemu.common.linux.AddressSpace;
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
        String interpPath = program.interpreter();
        ElfFile interp = null;
        if (interpPath != null) {
            Path resolved = resolveInterpreter(interpPath);
            if (!Files.isRegularFile(resolved)) {
                throw new ElfFormatException("Could not open '" + interpPath + "': No such file or directory");
            }
            interp = ElfFile.parse(readFile(resolved), target);
        }
        long bias = 0;
        if (program.isPositionIndependent()) {
            bias = AddressSpace.pageDown(pieBase - AddressSpace.pageDown(program.lowestLoadAddress()));
        }
        long end = mapSegments(program, bias);
        long interpBase = 0;
        long entry = program.entry() + bias;
        if (interp != null) {
            long span = AddressSpace.pageUp(interp.highestLoadAddress()) - AddressSpace.pageDown(interp.lowestLoadAddress());
            long at = space.findFree(span);
            if (at < 0) {
                throw new ElfFormatException("Not enough memory to load the interpreter");
            }
            long interpBias = at - AddressSpace.pageDown(interp.lowestLoadAddress());
            mapSegments(interp, interpBias);
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
    private long mapSegments(ElfFile elf, long bias) throws ElfFormatException {
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
        long end = 0;
        for (ElfFile.ProgramHeader ph : elf.programHeaders()) {
            if (ph.type() != ElfFile.PT_LOAD || ph.memorySize() == 0) {
                continue;
            }
            long start = ph.vaddr() + bias;
            memory.load(start, elf.bytes(), (int) ph.offset(), (int) ph.fileSize());
            int prot = toProtection(ph.flags());
            for (long p = AddressSpace.pageDown(start); p < start + ph.memorySize(); p += AddressSpace.PAGE) {
                int i = (int) ((p - lo) / AddressSpace.PAGE);
                rights[i] |= prot;
                used[i] = true;
            }
            end = Math.max(end, start + ph.memorySize());
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
