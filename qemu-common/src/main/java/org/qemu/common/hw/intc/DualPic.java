package org.qemu.common.hw.intc;

import org.qemu.common.hw.InterruptLine;
import org.qemu.common.hw.IoPortBus;
import org.qemu.common.hw.IoPortDevice;

/**
 * The PC/AT's two cascaded 8259As: the master at ports 0x20-0x21 takes IRQ0-7, the slave at
 * 0xA0-0xA1 takes IRQ8-15 and drives the master's IR2. Devices get one {@link InterruptLine}
 * per IRQ; the CPU asks {@link #interruptPending()} and takes a vector with {@link #acknowledge()}.
 * Lines are set from device and timer threads, so every access holds this object's lock.
 */
public final class DualPic implements org.qemu.common.hw.Resettable {
    public static final int MASTER_BASE = 0x20;
    public static final int SLAVE_BASE = 0xa0;
    /** The edge/level control registers of PIIX-style chipsets (one bit per IRQ; IRQ0-2, 8 and 13 stay edge). */
    public static final int ELCR_BASE = 0x4d0;
    private static final int CASCADE_IRQ = 2;

    private final Pic8259 master = new Pic8259();
    private final Pic8259 slave = new Pic8259();
    private final Runnable requestListener;
    private final int[] elcr = new int[2];

    /** {@code requestListener} runs (under this lock) whenever a line change leaves an interrupt pending. */
    public DualPic(Runnable requestListener) {
        this.requestListener = requestListener;
    }

    public void register(IoPortBus bus) {
        bus.register(MASTER_BASE, 2, new Ports(master));
        bus.register(SLAVE_BASE, 2, new Ports(slave));
        bus.register(ELCR_BASE, 2, new IoPortDevice() {
            @Override
            public int read(int offset, int size) {
                synchronized (DualPic.this) {
                    return elcr[offset & 1];
                }
            }

            @Override
            public void write(int offset, int size, int value) {
                synchronized (DualPic.this) {
                    int index = offset & 1;
                    elcr[index] = value & (index == 0 ? 0xf8 : 0xde);
                    (index == 0 ? master : slave).setLevelTriggered(elcr[index]);
                    update();
                }
            }
        });
    }

    @Override
    public synchronized void reset() {
        master.reset();
        slave.reset();
        elcr[0] = 0;
        elcr[1] = 0;
        master.setLevelTriggered(0);
        slave.setLevelTriggered(0);
    }

    /** The input for ISA interrupt {@code irq} (0-15). */
    public InterruptLine line(int irq) {
        if (irq < 0 || irq > 15) {
            throw new IllegalArgumentException("IRQ " + irq + " is not on the 8259 pair");
        }
        return asserted -> setIrq(irq, asserted);
    }

    public synchronized void setIrq(int irq, boolean asserted) {
        if (irq < 8) {
            master.setInput(irq, asserted);
        } else {
            slave.setInput(irq - 8, asserted);
        }
        update();
    }

    /** True while the master's INT output asks the CPU for an interrupt. */
    public synchronized boolean interruptPending() {
        return master.output();
    }

    /** The INTA cycles: returns the vector the CPU should take (a spurious IRQ7/IRQ15 when nothing is pending). */
    public synchronized int acknowledge() {
        int irq = master.acknowledge();
        int vector;
        if (irq == CASCADE_IRQ) {
            vector = slave.vector(slave.acknowledge());
        } else {
            vector = master.vector(irq);
        }
        update();
        return vector;
    }

    private void update() {
        master.setInput(CASCADE_IRQ, slave.output());
        if (master.output()) {
            requestListener.run();
        }
    }

    private final class Ports implements IoPortDevice {
        private final Pic8259 chip;

        Ports(Pic8259 chip) {
            this.chip = chip;
        }

        @Override
        public int read(int offset, int size) {
            synchronized (DualPic.this) {
                return offset == 0 ? chip.readCommand() : chip.readData();
            }
        }

        @Override
        public void write(int offset, int size, int value) {
            synchronized (DualPic.this) {
                if (offset == 0) {
                    chip.writeCommand(value & 0xff);
                } else {
                    chip.writeData(value & 0xff);
                }
                update();
            }
        }
    }
}
