package org.qemu.kvm.vmm;

import static org.qemu.kvm.sys.KvmLayouts.offset;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.qemu.kvm.sys.ErrnoException;
import org.qemu.kvm.sys.KvmLayouts;
import org.qemu.kvm.sys.KvmVcpu;

/** A register dump for a vCPU that stopped for good, in the spirit of QEMU's "KVM internal error" report. */
final class VcpuReport {
    private VcpuReport() {
    }

    static String registers(KvmVcpu vcpu) {
        StringBuilder out = new StringBuilder();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment regs = vcpu.getRegs(arena);
            String[] names = KvmLayouts.REGISTER_NAMES;
            for (int i = 0; i < names.length; i++) {
                out.append(String.format("%-6s=%016x", names[i].toUpperCase(), regs.get(ValueLayout.JAVA_LONG, 8L * i)));
                out.append(i % 4 == 3 || i == names.length - 1 ? "\n" : " ");
            }
            MemorySegment sregs = vcpu.getSregs(arena);
            for (String seg : KvmLayouts.SEGMENT_NAMES) {
                long at = offset(KvmLayouts.SREGS, seg);
                out.append(String.format("%-3s=%04x %016x %08x type=%x l=%d db=%d%n", seg.toUpperCase(),
                        sregs.get(ValueLayout.JAVA_SHORT, at + offset(KvmLayouts.SEGMENT, "selector")),
                        sregs.get(ValueLayout.JAVA_LONG, at + offset(KvmLayouts.SEGMENT, "base")),
                        sregs.get(ValueLayout.JAVA_INT, at + offset(KvmLayouts.SEGMENT, "limit")),
                        sregs.get(ValueLayout.JAVA_BYTE, at + offset(KvmLayouts.SEGMENT, "type")),
                        sregs.get(ValueLayout.JAVA_BYTE, at + offset(KvmLayouts.SEGMENT, "l")),
                        sregs.get(ValueLayout.JAVA_BYTE, at + offset(KvmLayouts.SEGMENT, "db"))));
            }
            for (String cr : new String[] {"cr0", "cr2", "cr3", "cr4", "efer"}) {
                out.append(String.format("%s=%016x ", cr.toUpperCase(), sregs.get(ValueLayout.JAVA_LONG, offset(KvmLayouts.SREGS, cr))));
            }
            out.append('\n');
        } catch (ErrnoException e) {
            out.append("(registers unavailable: ").append(e.getMessage()).append(")\n");
        }
        return out.toString();
    }
}
