package org.qemu.i386.system;

import static org.qemu.i386.system.SegmentDescriptors.dpl;
import static org.qemu.i386.system.SegmentDescriptors.rpl;

import org.qemu.i386.cpu.LazyFlags;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.cpu.X86OpBase;
import org.qemu.i386.translate.Operand;

/**
 * The LDT and task registers (lldt, sldt, ltr, str) and the descriptor probes lar, lsl, verr,
 * verw (Intel SDM vol. 2): the probes never fault on a bad selector, they clear ZF. lldt and
 * ltr are translated only at CPL 0; the others run at any privilege level (no UMIP).
 */
final class DescriptorTableOps {
    private DescriptorTableOps() {
    }

    private static SystemCpu system(X86Cpu cpu) {
        return (SystemCpu) cpu.systemContext();
    }

    /** sldt / str: the selector to r/m16 (a 32-bit register destination gets it zero-extended). */
    static final class StoreSelector extends X86OpBase {
        private final boolean taskRegister;
        private final Operand destination;

        StoreSelector(boolean taskRegister, Operand destination) {
            this.taskRegister = taskRegister;
            this.destination = destination;
        }

        @Override
        public void exec(X86Cpu cpu) {
            SystemCpu sys = system(cpu);
            destination.set(cpu, taskRegister ? sys.tss.selector : sys.ldtSelector);
        }
    }

    /** lldt r/m16: a present LDT descriptor of the GDT, or the null selector (no LDT). */
    static final class LoadLocalDescriptorTable extends X86OpBase {
        private final Operand source;

        LoadLocalDescriptorTable(Operand source) {
            this.source = source;
        }

        @Override
        public void exec(X86Cpu cpu) {
            SystemCpu sys = system(cpu);
            int selector = source.get(cpu) & 0xffff;
            if (SegmentDescriptors.isNull(selector)) {
                sys.ldtSelector = selector;
                sys.ldtBase = 0;
                sys.ldtLimit = 0;
                sys.ldtDescriptor = 0;
                return;
            }
            if ((selector & 4) != 0) {
                throw ProtectionFaults.badSelector(selector);
            }
            long d = sys.descriptors.read(selector);
            if (SegmentDescriptors.isSegment(d) || SegmentDescriptors.type(d) != SegmentDescriptors.TYPE_LDT) {
                throw ProtectionFaults.badSelector(selector);
            }
            SegmentLoader.requirePresent(d, selector);
            sys.ldtSelector = selector;
            sys.ldtBase = SegmentDescriptors.base(d);
            sys.ldtLimit = SegmentDescriptors.limit(d);
            sys.ldtDescriptor = d;
        }
    }

    /** ltr r/m16. */
    static final class LoadTaskRegister extends X86OpBase {
        private final Operand source;

        LoadTaskRegister(Operand source) {
            this.source = source;
        }

        @Override
        public void exec(X86Cpu cpu) {
            SystemCpu sys = system(cpu);
            sys.tss.load(source.get(cpu) & 0xffff, sys.descriptors);
        }
    }

    static final int LAR = 0, LSL = 1, VERR = 2, VERW = 3;

    /** lar, lsl (result to a register), verr, verw: ZF tells whether the descriptor passed. */
    static final class Probe extends X86OpBase {
        private final int kind;
        private final Operand selectorSource;
        /** lar/lsl destination; null for verr/verw. */
        private final Operand destination;

        Probe(int kind, Operand selectorSource, Operand destination) {
            this.kind = kind;
            this.selectorSource = selectorSource;
            this.destination = destination;
        }

        @Override
        public void exec(X86Cpu cpu) {
            SystemCpu sys = system(cpu);
            int selector = selectorSource.get(cpu) & 0xffff;
            long d = sys.descriptors.readOrZero(selector);
            boolean ok = d != 0 && accepts(d) && privilegeAllows(sys, selector, d);
            if (ok && destination != null) {
                int result = kind == LSL ? SegmentDescriptors.limit(d)
                        : (int) (d >>> 32) & (destination.bits == 16 ? 0xff00 : 0x00f0ff00);
                destination.set(cpu, result);
            }
            LazyFlags.modify(cpu.state, X86CpuState.ZF, ok ? X86CpuState.ZF : 0);
        }

        private boolean accepts(long d) {
            if (!SegmentDescriptors.isSegment(d)) {
                int type = SegmentDescriptors.type(d);
                return switch (kind) {
                    case LAR -> type == 1 || type == 2 || type == 3 || type == 4 || type == 5 || type == 9 || type == 11 || type == 12;
                    case LSL -> type == 1 || type == 2 || type == 3 || type == 9 || type == 11;
                    default -> false;
                };
            }
            return switch (kind) {
                case VERR -> SegmentDescriptors.readable(d);
                case VERW -> SegmentDescriptors.writableData(d);
                default -> true;
            };
        }

        /** Conforming code is visible from every ring; anything else needs DPL >= CPL and DPL >= RPL. */
        private static boolean privilegeAllows(SystemCpu sys, int selector, long d) {
            if (SegmentDescriptors.conforming(d)) {
                return true;
            }
            return dpl(d) >= sys.cpl() && dpl(d) >= rpl(selector);
        }
    }
}
