package org.qemu.common.hw.intc;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The APIC bus: how interrupt messages from the I/O APIC and IPIs from a local APIC find their
 * local APICs (Intel SDM vol. 3, 11.6.2): physical destinations by APIC ID (0xFF broadcast),
 * logical ones through each APIC's LDR in the flat or cluster model, the shorthands, and
 * lowest-priority arbitration by TPR. INIT and STARTUP change a CPU's run state, which only the
 * machine can do: they go to its {@link LocalApic.IpiSender}.
 */
public final class ApicBus {
    public static final int FIXED = 0, LOWEST_PRIORITY = 1, SMI = 2, NMI = 4, INIT = 5, STARTUP = 6, EXTINT = 7;
    public static final int NO_SHORTHAND = 0, SELF = 1, ALL_INCLUDING_SELF = 2, ALL_EXCLUDING_SELF = 3;

    private final List<LocalApic> apics = new CopyOnWriteArrayList<>();
    private final LocalApic.IpiSender cpuControl;
    private volatile IoApic ioApic;

    public ApicBus(LocalApic.IpiSender cpuControl) {
        this.cpuControl = cpuControl;
    }

    public void attach(LocalApic apic) {
        apics.add(apic);
    }

    /** Forgets the local APICs (a machine reset builds new ones). */
    public void detachAll() {
        apics.clear();
    }

    /** The I/O APIC that hears the local APICs' EOI broadcasts for level-triggered vectors. */
    public void connect(IoApic apic) {
        this.ioApic = apic;
    }

    /** A message on the bus. {@code level}: level-triggered (sets the target's TMR bit). */
    public void deliver(int destination, boolean logical, int shorthand, int mode, int vector, boolean level, LocalApic source) {
        List<LocalApic> targets = new ArrayList<>();
        for (LocalApic apic : apics) {
            boolean selected = switch (shorthand) {
                case SELF -> apic == source;
                case ALL_INCLUDING_SELF -> true;
                case ALL_EXCLUDING_SELF -> apic != source;
                default -> logical ? apic.matchesLogical(destination) : destination == 0xff || apic.apicId() == destination;
            };
            if (selected) {
                targets.add(apic);
            }
        }
        if (mode == LOWEST_PRIORITY && targets.size() > 1) {
            LocalApic lowest = targets.get(0);
            for (LocalApic t : targets) {
                if (t.taskPriority() < lowest.taskPriority()) {
                    lowest = t;
                }
            }
            targets = List.of(lowest);
        }
        for (LocalApic t : targets) {
            switch (mode) {
                case FIXED, LOWEST_PRIORITY -> t.accept(vector, level);
                case INIT -> cpuControl.init(t.apicId());
                case STARTUP -> cpuControl.startup(t.apicId(), vector);
                default -> { } // SMI, NMI and ExtINT messages are not modelled
            }
        }
    }

    /** A local APIC finished a level-triggered interrupt: the I/O APIC may deliver it again. */
    void endOfInterrupt(int vector) {
        IoApic target = ioApic;
        if (target != null) {
            target.endOfInterrupt(vector);
        }
    }
}
