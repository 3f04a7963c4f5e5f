package org.qemu.common.hw.intc;

/**
 * One Intel 8259A programmable interrupt controller, as its data sheet describes it: eight
 * edge-triggered request inputs (IRR), a mask (IMR), in-service bits (ISR), fixed priority
 * with IR0 highest, the ICW1-ICW4 initialisation sequence and OCW1-OCW3, and the PIIX
 * edge/level control register (ELCR) choosing level-triggered inputs for PCI interrupts. Not
 * modelled: priority rotation (treated as the plain EOI it includes), special mask mode, poll
 * mode. Not thread-safe: {@link DualPic} serialises access.
 */
final class Pic8259 {
    private int irr;
    private int isr;
    private int imr;
    private int lastLevels;
    /** ELCR: inputs whose request follows the line level instead of latching a rising edge. */
    private int levelTriggered;
    private int vectorBase;
    /** Which initialisation word the data port expects next (0: none, initialisation is over). */
    private int expectedIcw;
    private boolean cascaded;
    private boolean icw4Expected;
    private boolean autoEoi;
    private boolean readIsr;

    /** Power-on: nothing requested or in service, unmasked, uninitialised; input levels and ELCR (board wiring) stay. */
    void reset() {
        irr = 0;
        isr = 0;
        imr = 0;
        vectorBase = 0;
        expectedIcw = 0;
        cascaded = false;
        icw4Expected = false;
        autoEoi = false;
        readIsr = false;
    }

    /** Drives input {@code irq}; a rising edge latches a request into IRR. */
    void setInput(int irq, boolean level) {
        int bit = 1 << irq;
        if ((levelTriggered & bit) != 0) {
            irr = level ? irr | bit : irr & ~bit;
        } else if (level && (lastLevels & bit) == 0) {
            irr |= bit;
        }
        lastLevels = level ? lastLevels | bit : lastLevels & ~bit;
    }

    /** The highest-priority unmasked request that outranks everything in service, or -1. */
    int pendingIrq() {
        int requests = irr & ~imr;
        for (int irq = 0; irq < 8; irq++) {
            int bit = 1 << irq;
            if ((isr & bit) != 0) {
                return -1;
            }
            if ((requests & bit) != 0) {
                return irq;
            }
        }
        return -1;
    }

    /** True while the INT output is asserted. */
    boolean output() {
        return pendingIrq() >= 0;
    }

    /**
     * The INTA cycle: moves the pending request from IRR to ISR (unless automatic EOI) and
     * returns its IR number; with nothing pending the 8259 answers IR7 without setting ISR.
     */
    int acknowledge() {
        int irq = pendingIrq();
        if (irq < 0) {
            return 7;
        }
        if ((levelTriggered & (1 << irq)) == 0) {
            irr &= ~(1 << irq); // a level-triggered request stays while its line is asserted
        }
        if (!autoEoi) {
            isr |= 1 << irq;
        }
        return irq;
    }

    void setLevelTriggered(int mask) {
        levelTriggered = mask & 0xff;
        irr &= ~levelTriggered | lastLevels;
        irr |= levelTriggered & lastLevels;
    }

    int vector(int irq) {
        return vectorBase + irq;
    }

    void writeCommand(int value) {
        if ((value & 0x10) != 0) { // ICW1
            icw4Expected = (value & 0x01) != 0;
            cascaded = (value & 0x02) == 0;
            imr = 0;
            isr = 0;
            irr = 0;
            autoEoi = false;
            readIsr = false;
            expectedIcw = 2;
        } else if ((value & 0x08) != 0) { // OCW3
            if ((value & 0x02) != 0) {
                readIsr = (value & 0x01) != 0;
            }
        } else { // OCW2
            int command = value >> 5;
            switch (command) {
                case 1, 5 -> endOfInterrupt(highestInService());
                case 3, 7 -> endOfInterrupt(value & 7);
                default -> { } // rotation in automatic EOI mode, set priority, no operation
            }
        }
    }

    void writeData(int value) {
        switch (expectedIcw) {
            case 2 -> {
                vectorBase = value & 0xf8;
                expectedIcw = cascaded ? 3 : icw4Expected ? 4 : 0;
            }
            case 3 -> expectedIcw = icw4Expected ? 4 : 0;
            case 4 -> {
                autoEoi = (value & 0x02) != 0;
                expectedIcw = 0;
            }
            default -> imr = value & 0xff; // OCW1
        }
    }

    int readCommand() {
        return readIsr ? isr : irr;
    }

    int readData() {
        return imr;
    }

    private int highestInService() {
        return isr == 0 ? -1 : Integer.numberOfTrailingZeros(isr);
    }

    private void endOfInterrupt(int irq) {
        if (irq >= 0) {
            isr &= ~(1 << irq);
        }
    }
}
