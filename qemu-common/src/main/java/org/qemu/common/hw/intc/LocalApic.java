package org.qemu.common.hw.intc;

import org.qemu.common.hw.MmioDevice;

/**
 * One CPU's local APIC at 0xFEE00000 (Intel SDM vol. 3, chapter 11), as far as starting
 * application processors needs it: the ID and version registers, the spurious-interrupt
 * vector (software enable), TPR, the LVT and timer registers as storage, and the interrupt
 * command register sending INIT and STARTUP IPIs by physical destination or shorthand.
 * Not built: fixed-vector IPIs, the APIC timer's counting and interrupts, logical
 * destinations, interrupt priority; a guest relying on them gets no interrupt.
 */
public final class LocalApic implements MmioDevice {
    public static final long DEFAULT_BASE = 0xfee00000L;
    public static final long SIZE = 0x1000;
    /** Version 0x14 (integrated APIC) with 6 LVT entries, as on P6-family processors. */
    public static final int VERSION = 0x00050014;

    static final int ID = 0x20, VERSION_REGISTER = 0x30, TPR = 0x80, EOI = 0xb0, LDR = 0xd0, DFR = 0xe0, SVR = 0xf0,
            ESR = 0x280, ICR_LOW = 0x300, ICR_HIGH = 0x310, LVT_TIMER = 0x320, LVT_LINT0 = 0x350, LVT_LINT1 = 0x360,
            LVT_ERROR = 0x370, TIMER_INITIAL = 0x380, TIMER_CURRENT = 0x390, TIMER_DIVIDE = 0x3e0;
    private static final int DELIVERY_INIT = 5;
    private static final int DELIVERY_STARTUP = 6;
    private static final int LVT_MASKED = 1 << 16;

    /** Where the ICR's IPIs go: the machine, which knows the other CPUs. */
    public interface IpiSender {
        void init(int destinationApicId);

        void startup(int destinationApicId, int vector);
    }

    private final int apicId;
    private final int cpuCount;
    private final IpiSender ipis;
    private final int[] registers = new int[0x400 / 4];

    public LocalApic(int apicId, int cpuCount, IpiSender ipis) {
        this.apicId = apicId;
        this.cpuCount = cpuCount;
        this.ipis = ipis;
        registers[ID / 4] = apicId << 24;
        registers[VERSION_REGISTER / 4] = VERSION;
        registers[DFR / 4] = -1;
        registers[SVR / 4] = 0xff;
        for (int lvt : new int[] {LVT_TIMER, LVT_LINT0, LVT_LINT1, LVT_ERROR}) {
            registers[lvt / 4] = LVT_MASKED;
        }
    }

    public int apicId() {
        return apicId;
    }

    @Override
    public synchronized long read(long offset, int size) {
        int register = (int) offset & 0xff0;
        if (register >= 0x400 || size != 4 || (offset & 0xf) != 0) {
            return 0;
        }
        return registers[register / 4] & 0xffffffffL;
    }

    @Override
    public void write(long offset, int size, long value) {
        int register = (int) offset & 0xff0;
        int v = (int) value;
        if (register >= 0x400 || size != 4 || (offset & 0xf) != 0) {
            return;
        }
        int command;
        int destination;
        synchronized (this) {
            switch (register) {
                case ID, VERSION_REGISTER, TIMER_CURRENT -> {
                    return; // read-only here
                }
                case EOI -> {
                    return;
                }
                case ICR_HIGH -> {
                    registers[ICR_HIGH / 4] = v & 0xff000000;
                    return;
                }
                case ICR_LOW -> {
                    registers[ICR_LOW / 4] = v & ~(1 << 12); // delivery is immediate: the status reads idle
                    command = v;
                    destination = registers[ICR_HIGH / 4] >>> 24;
                }
                default -> {
                    registers[register / 4] = v;
                    return;
                }
            }
        }
        send(command, destination);
    }

    private void send(int command, int destination) {
        int mode = (command >> 8) & 7;
        int shorthand = (command >> 18) & 3;
        boolean levelDeassert = mode == DELIVERY_INIT && (command & (1 << 14)) == 0 && (command & (1 << 15)) != 0;
        if ((mode != DELIVERY_INIT && mode != DELIVERY_STARTUP) || levelDeassert) {
            return;
        }
        for (int target = 0; target < cpuCount; target++) {
            boolean selected = switch (shorthand) {
                case 0 -> target == destination || destination == 0xff;
                case 1 -> target == apicId;
                case 2 -> true;
                default -> target != apicId;
            };
            if (!selected) {
                continue;
            }
            if (mode == DELIVERY_INIT) {
                ipis.init(target);
            } else {
                ipis.startup(target, command & 0xff);
            }
        }
    }
}
