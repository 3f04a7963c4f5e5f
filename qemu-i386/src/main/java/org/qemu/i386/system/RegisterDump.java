package org.qemu.i386.system;

import org.qemu.i386.cpu.X86CpuState;

/**
 * One CPU's state in the layout of QEMU's {@code info registers} for a 32-bit x86 CPU, so people
 * and scripts used to QEMU's monitor read it the same way. Segment attributes come from the
 * GDT descriptor each selector names; LDTR and TR show what lldt and ltr loaded (QEMU's reset
 * values before). FPU register lines are left out.
 */
final class RegisterDump {
    private static final String[] SEGMENT_NAMES = {"ES", "CS", "SS", "DS", "FS", "GS"};

    private RegisterDump() {
    }

    static String of(SystemCpu cpu, boolean halted) {
        X86CpuState s = cpu.cpu.state;
        StringBuilder out = new StringBuilder();
        out.append("CPU#").append(cpu.apicId()).append('\n');
        X86CpuState r = s;
        out.append(String.format("EAX=%08x EBX=%08x ECX=%08x EDX=%08x%n", r.reg32(X86CpuState.EAX), r.reg32(X86CpuState.EBX), r.reg32(X86CpuState.ECX), r.reg32(X86CpuState.EDX)));
        out.append(String.format("ESI=%08x EDI=%08x EBP=%08x ESP=%08x%n", r.reg32(X86CpuState.ESI), r.reg32(X86CpuState.EDI), r.reg32(X86CpuState.EBP), r.reg32(X86CpuState.ESP)));
        int flags = s.eflags() | 2;
        out.append(String.format("EIP=%08x EFL=%08x [%c%c%c%c%c%c%c] CPL=%d II=0 A20=1 SMM=0 HLT=%d%n", s.eip(), flags,
                flag(flags, X86CpuState.DF, 'D'), flag(flags, X86CpuState.OF, 'O'), flag(flags, X86CpuState.SF, 'S'),
                flag(flags, X86CpuState.ZF, 'Z'), flag(flags, X86CpuState.AF, 'A'), flag(flags, X86CpuState.PF, 'P'),
                flag(flags, X86CpuState.CF, 'C'), cpu.cpl(), halted ? 1 : 0));
        for (int seg = 0; seg < 6; seg++) {
            out.append(segment(cpu, SEGMENT_NAMES[seg], s.segSelector[seg], s.segBase[seg]));
        }
        out.append(systemSegment("LDT", cpu.ldtSelector, cpu.ldtBase, cpu.ldtLimit, cpu.ldtDescriptor, 0x8200, "LDT"));
        out.append(systemSegment("TR ", cpu.tss.selector, cpu.tss.base, cpu.tss.limit, cpu.tss.descriptor, 0x8b00, "TSS32-busy"));
        out.append(String.format("GDT=     %08x %08x%n", cpu.gdtBase, cpu.gdtLimit));
        out.append(String.format("IDT=     %08x %08x%n", cpu.idtBase, cpu.idtLimit));
        out.append(String.format("CR0=%08x CR2=%08x CR3=%08x CR4=%08x%n", cpu.cr0, cpu.cr2, cpu.cr3, cpu.cr4));
        int[] dr = cpu.debugRegisters;
        out.append(String.format("DR0=%016x DR1=%016x DR2=%016x DR3=%016x %n", dr[0] & 0xffffffffL, dr[1] & 0xffffffffL,
                dr[2] & 0xffffffffL, dr[3] & 0xffffffffL));
        out.append(String.format("DR6=%016x DR7=%016x%n", (dr[6] | 0xffff0ff0) & 0xffffffffL, (dr[7] | 0x400) & 0xffffffffL));
        out.append(String.format("EFER=%016x%n", cpu.efer));
        for (int i = 0; i < 8; i += 2) {
            out.append(String.format("XMM%02d=%016x %016x XMM%02d=%016x %016x%n", i, s.xmm[2 * i + 1], s.xmm[2 * i],
                    i + 1, s.xmm[2 * i + 3], s.xmm[2 * i + 2]));
        }
        return out.toString();
    }

    /** LDTR or TR: QEMU's reset values (limit 0xffff, present) until the guest loads one. */
    private static String systemSegment(String name, int selector, long base, int limit, long descriptor, int resetAttributes, String kind) {
        if (descriptor == 0) {
            return String.format("%s=%04x %08x 0000ffff %08x DPL=0 %s%n", name, selector & 0xffff, 0, resetAttributes, kind);
        }
        int attributes = (int) (descriptor >>> 32) & 0x00ffff00;
        return String.format("%s=%04x %08x %08x %08x DPL=%d %s%n", name, selector & 0xffff, base & 0xffffffffL, limit, attributes,
                attributes >> 13 & 3, kind);
    }

    private static char flag(int flags, int bit, char name) {
        return (flags & bit) != 0 ? name : '-';
    }

    private static String segment(SystemCpu cpu, String name, int selector, long base) {
        long descriptor = 0;
        if ((cpu.cr0 & SystemCpu.CR0_PE) != 0 && (selector & ~3) != 0 && (selector & 4) == 0
                && (selector & ~7) + 7 <= cpu.gdtLimit) {
            try {
                descriptor = cpu.readSystem64(cpu.gdtBase + (selector & ~7));
            } catch (org.qemu.common.memory.GuestMemoryFault unmapped) {
                cpu.mmu.takeFaultError(); // a dump must not leave a page fault pending
            }
        }
        long limit = (descriptor & 0xffff) | ((descriptor >>> 48) & 0xf) << 16;
        if ((descriptor & (1L << 55)) != 0) {
            limit = limit << 12 | 0xfff; // granularity: 4 KiB units
        }
        // QEMU shows the descriptor's high word without base bits; a loaded data segment has its
        // accessed bit set (the CPU sets it on load; this build does not write the GDT back)
        int attributes = (int) (descriptor >>> 32) & 0x00ffff00;
        if (descriptor != 0 && (attributes & 0x800) == 0) {
            attributes |= 0x100;
        }
        StringBuilder line = new StringBuilder(String.format("%-3s=%04x %08x %08x %08x", name, selector & 0xffff, base & 0xffffffffL, limit, attributes));
        if (descriptor != 0) {
            int type = attributes >> 8 & 0xf;
            line.append(" DPL=").append(attributes >> 13 & 3);
            if ((type & 8) != 0) {
                line.append((attributes & (1 << 22)) != 0 ? " CS32 [" : " CS16 [")
                        .append((type & 4) != 0 ? 'C' : '-').append((type & 2) != 0 ? 'R' : '-').append((type & 1) != 0 ? 'A' : '-').append(']');
            } else {
                line.append(" DS   [").append((type & 4) != 0 ? 'E' : '-').append((type & 2) != 0 ? 'W' : '-')
                        .append((type & 1) != 0 ? 'A' : '-').append(']');
            }
        }
        return line.append('\n').toString();
    }
}
