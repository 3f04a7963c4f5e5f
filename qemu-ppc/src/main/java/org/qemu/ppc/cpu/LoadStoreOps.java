package org.qemu.ppc.cpu;

import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import org.qemu.common.exec.GuestTrap;
import org.qemu.common.memory.GuestMemory;

/**
 * Loads and stores (Power ISA Book I 3.3 and 4.6), big-endian through GuestMemory's
 * {@code *be} accessors. Each access exists in two addressing forms: displacement
 * ({@code EA = (RA|0) + d}) and indexed ({@code EA = (RA|0) + RB}); {@code update=1} is the
 * "u" form that writes EA back to RA. The caller has already stored the instruction's address
 * in {@code pc}, so a fault leaves the state at the faulting instruction.
 */
public final class LoadStoreOps {
    /** Data cache block size of the emulated core (a 32-bit 7xx/74xx line); AT_DCACHEBSIZE says the same. */
    public static final int CACHE_LINE = 32;

    private static final VarHandle INT_CAS = ValueLayout.JAVA_INT.varHandle();

    private LoadStoreOps() {
    }

    private static int ea(PpcCpuState s, int ra, int offset, int update) {
        int ea = IntegerOps.raOrZero(s, ra) + offset;
        if (update != 0) {
            s.gpr[ra] = ea;
        }
        return ea;
    }

    private static long u(int ea) {
        return Integer.toUnsignedLong(ea);
    }

    // ---- byte / half / word, displacement form -----------------------------------------------

    public static void lbz(PpcCpuState s, int rt, int ra, int d, int update) {
        s.gpr[rt] = s.memory.read8(u(address(s, ra, d)));
        writeBack(s, ra, d, update);
    }

    public static void lhz(PpcCpuState s, int rt, int ra, int d, int update) {
        s.gpr[rt] = s.memory.read16be(u(address(s, ra, d)));
        writeBack(s, ra, d, update);
    }

    public static void lha(PpcCpuState s, int rt, int ra, int d, int update) {
        s.gpr[rt] = (short) s.memory.read16be(u(address(s, ra, d)));
        writeBack(s, ra, d, update);
    }

    public static void lwz(PpcCpuState s, int rt, int ra, int d, int update) {
        int ea = address(s, ra, d);
        s.gpr[rt] = s.memory.read32be(u(ea));
        writeBack(s, ra, d, update);
    }

    public static void stb(PpcCpuState s, int rs, int ra, int d, int update) {
        int ea = address(s, ra, d);
        s.memory.write8(u(ea), s.gpr[rs]);
        if (update != 0) {
            s.gpr[ra] = ea;
        }
    }

    public static void sth(PpcCpuState s, int rs, int ra, int d, int update) {
        int ea = address(s, ra, d);
        s.memory.write16be(u(ea), s.gpr[rs]);
        if (update != 0) {
            s.gpr[ra] = ea;
        }
    }

    public static void stw(PpcCpuState s, int rs, int ra, int d, int update) {
        int ea = address(s, ra, d);
        s.memory.write32be(u(ea), s.gpr[rs]);
        if (update != 0) {
            s.gpr[ra] = ea;
        }
    }

    /** The EA, computed before the access so that a faulting access leaves RA untouched. */
    private static int address(PpcCpuState s, int ra, int offset) {
        return IntegerOps.raOrZero(s, ra) + offset;
    }

    /** Update-form loads write RA after the load; the ISA calls RA=RT or RA=0 invalid, so order only matters for those. */
    private static void writeBack(PpcCpuState s, int ra, int offset, int update) {
        if (update != 0) {
            s.gpr[ra] = s.gpr[ra] + offset;
        }
    }

    // ---- indexed forms ----------------------------------------------------------------------------

    public static void lbzx(PpcCpuState s, int rt, int ra, int rb, int update) {
        lbz(s, rt, ra, s.gpr[rb], update);
    }

    public static void lhzx(PpcCpuState s, int rt, int ra, int rb, int update) {
        lhz(s, rt, ra, s.gpr[rb], update);
    }

    public static void lhax(PpcCpuState s, int rt, int ra, int rb, int update) {
        lha(s, rt, ra, s.gpr[rb], update);
    }

    public static void lwzx(PpcCpuState s, int rt, int ra, int rb, int update) {
        lwz(s, rt, ra, s.gpr[rb], update);
    }

    public static void stbx(PpcCpuState s, int rs, int ra, int rb, int update) {
        stb(s, rs, ra, s.gpr[rb], update);
    }

    public static void sthx(PpcCpuState s, int rs, int ra, int rb, int update) {
        sth(s, rs, ra, s.gpr[rb], update);
    }

    public static void stwx(PpcCpuState s, int rs, int ra, int rb, int update) {
        stw(s, rs, ra, s.gpr[rb], update);
    }

    // ---- byte-reversed ---------------------------------------------------------------------------

    public static void lhbrx(PpcCpuState s, int rt, int ra, int rb) {
        s.gpr[rt] = s.memory.read16(u(address(s, ra, s.gpr[rb])));
    }

    public static void lwbrx(PpcCpuState s, int rt, int ra, int rb) {
        s.gpr[rt] = s.memory.read32(u(address(s, ra, s.gpr[rb])));
    }

    public static void sthbrx(PpcCpuState s, int rs, int ra, int rb) {
        s.memory.write16(u(address(s, ra, s.gpr[rb])), s.gpr[rs]);
    }

    public static void stwbrx(PpcCpuState s, int rs, int ra, int rb) {
        s.memory.write32(u(address(s, ra, s.gpr[rb])), s.gpr[rs]);
    }

    // ---- multiple and string ------------------------------------------------------------------

    public static void lmw(PpcCpuState s, int rt, int ra, int d) {
        int ea = address(s, ra, d);
        for (int r = rt; r < 32; r++, ea += 4) {
            s.gpr[r] = s.memory.read32be(u(ea));
        }
    }

    public static void stmw(PpcCpuState s, int rs, int ra, int d) {
        int ea = address(s, ra, d);
        for (int r = rs; r < 32; r++, ea += 4) {
            s.memory.write32be(u(ea), s.gpr[r]);
        }
    }

    /**
     * Load string: n bytes fill registers from RT on, four per register (wrapping r31 to r0),
     * the last register's unused low bytes cleared.
     */
    private static void loadString(PpcCpuState s, int rt, int ea, int n) {
        int r = rt - 1;
        int shift = 0;
        for (int i = 0; i < n; i++) {
            if (i % 4 == 0) {
                r = (r + 1) & 31;
                s.gpr[r] = 0;
                shift = 24;
            }
            s.gpr[r] |= s.memory.read8(u(ea + i)) << shift;
            shift -= 8;
        }
    }

    private static void storeString(PpcCpuState s, int rs, int ea, int n) {
        int r = rs - 1;
        int shift = 0;
        for (int i = 0; i < n; i++) {
            if (i % 4 == 0) {
                r = (r + 1) & 31;
                shift = 24;
            }
            s.memory.write8(u(ea + i), s.gpr[r] >>> shift);
            shift -= 8;
        }
    }

    /** lswi: NB=0 means 32 bytes. */
    public static void lswi(PpcCpuState s, int rt, int ra, int nb) {
        loadString(s, rt, IntegerOps.raOrZero(s, ra), nb == 0 ? 32 : nb);
    }

    public static void lswx(PpcCpuState s, int rt, int ra, int rb) {
        loadString(s, rt, address(s, ra, s.gpr[rb]), s.xerByteCount);
    }

    public static void stswi(PpcCpuState s, int rs, int ra, int nb) {
        storeString(s, rs, IntegerOps.raOrZero(s, ra), nb == 0 ? 32 : nb);
    }

    public static void stswx(PpcCpuState s, int rs, int ra, int rb) {
        storeString(s, rs, address(s, ra, s.gpr[rb]), s.xerByteCount);
    }

    // ---- reservations -----------------------------------------------------------------------------

    private static void requireWordAligned(PpcCpuState s, int ea) {
        if ((ea & 3) != 0) {
            // An alignment interrupt on lwarx/stwcx.: Linux sends SIGBUS with BUS_ADRALN.
            throw new TrapException(new GuestTrap(GuestTrap.SIGBUS, 1, u(ea), 0x600, 0));
        }
    }

    public static void lwarx(PpcCpuState s, int rt, int ra, int rb) {
        int ea = address(s, ra, s.gpr[rb]);
        requireWordAligned(s, ea);
        int v = s.memory.read32be(u(ea));
        s.reservationAddress = u(ea);
        s.reservationValue = v;
        s.gpr[rt] = v;
    }

    /**
     * stwcx.: stores only if this CPU still holds a reservation on EA and the word still holds
     * the value lwarx saw, checked and stored in one host compare-and-set so that guest
     * threads on other host threads cannot slip in between. CR0 = 0b00 || success || SO.
     */
    public static void stwcxDot(PpcCpuState s, int rs, int ra, int rb) {
        int ea = address(s, ra, s.gpr[rb]);
        requireWordAligned(s, ea);
        long address = u(ea);
        boolean stored = false;
        if (s.reservationAddress == address) {
            GuestMemory m = s.memory;
            m.checkRange(address, 4, true);
            int expected = Integer.reverseBytes(s.reservationValue);
            int replacement = Integer.reverseBytes(s.gpr[rs]);
            stored = INT_CAS.compareAndSet(m.segment(), address, expected, replacement);
        }
        s.reservationAddress = -1;
        s.cr = (s.cr & 0x0fffffff) | ((stored ? 2 : 0) | s.xerSo) << 28;
    }

    // ---- cache management -----------------------------------------------------------------------

    /** dcbz: zeroes the aligned cache line holding EA (glibc's memset relies on the line size). */
    public static void dcbz(PpcCpuState s, int ra, int rb) {
        int line = address(s, ra, s.gpr[rb]) & -CACHE_LINE;
        for (int i = 0; i < CACHE_LINE; i += 8) {
            s.memory.write64be(u(line + i), 0L);
        }
    }

    // ---- floating point -------------------------------------------------------------------------

    public static void lfs(PpcCpuState s, int frt, int ra, int d, int update) {
        int ea = address(s, ra, d);
        s.fpr[frt] = FloatOps.singleToDoubleBits(s.memory.read32be(u(ea)));
        if (update != 0) {
            s.gpr[ra] = ea;
        }
    }

    public static void lfd(PpcCpuState s, int frt, int ra, int d, int update) {
        int ea = address(s, ra, d);
        s.fpr[frt] = s.memory.read64be(u(ea));
        if (update != 0) {
            s.gpr[ra] = ea;
        }
    }

    public static void stfs(PpcCpuState s, int frs, int ra, int d, int update) {
        int ea = address(s, ra, d);
        s.memory.write32be(u(ea), FloatOps.doubleToSingleBits(s.fpr[frs]));
        if (update != 0) {
            s.gpr[ra] = ea;
        }
    }

    public static void stfd(PpcCpuState s, int frs, int ra, int d, int update) {
        int ea = address(s, ra, d);
        s.memory.write64be(u(ea), s.fpr[frs]);
        if (update != 0) {
            s.gpr[ra] = ea;
        }
    }

    public static void lfsx(PpcCpuState s, int frt, int ra, int rb, int update) {
        lfs(s, frt, ra, s.gpr[rb], update);
    }

    public static void lfdx(PpcCpuState s, int frt, int ra, int rb, int update) {
        lfd(s, frt, ra, s.gpr[rb], update);
    }

    public static void stfsx(PpcCpuState s, int frs, int ra, int rb, int update) {
        stfs(s, frs, ra, s.gpr[rb], update);
    }

    public static void stfdx(PpcCpuState s, int frs, int ra, int rb, int update) {
        stfd(s, frs, ra, s.gpr[rb], update);
    }

    /** stfiwx: the low word of FRS, as fctiw leaves an integer there. */
    public static void stfiwx(PpcCpuState s, int frs, int ra, int rb) {
        s.memory.write32be(u(address(s, ra, s.gpr[rb])), (int) s.fpr[frs]);
    }
}
