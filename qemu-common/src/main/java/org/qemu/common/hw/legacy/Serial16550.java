package org.qemu.common.hw.legacy;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;

import org.qemu.common.hw.InterruptLine;
import org.qemu.common.hw.IoPortDevice;

/**
 * A 16550A UART (8 ports, e.g. COM1 at 0x3F8, IRQ 4). Transmission is instant, so the transmitter
 * is always empty; received bytes queue in a FIFO. Loopback mode exists because Linux's 8250
 * driver checks it before trusting the port.
 */
public final class Serial16550 implements IoPortDevice, org.qemu.common.hw.Resettable {
    public static final int COM1_BASE = 0x3f8;
    public static final int COM1_IRQ = 4;

    private static final int IER_RX_AVAILABLE = 0x01;
    private static final int IER_TX_EMPTY = 0x02;
    private static final int IIR_NONE = 0x01;
    private static final int IIR_TX_EMPTY = 0x02;
    private static final int IIR_RX_AVAILABLE = 0x04;
    private static final int IIR_FIFO_ENABLED = 0xc0;
    private static final int LCR_DLAB = 0x80;
    private static final int LSR_DATA_READY = 0x01;
    private static final int LSR_TX_EMPTY = 0x20;
    private static final int LSR_TX_IDLE = 0x40;
    private static final int MCR_LOOP = 0x10;
    private static final int MSR_CONNECTED = 0xb0; // DCD, DSR, CTS
    private static final int RX_FIFO_LIMIT = 4096;

    private final OutputStream output;
    private final InterruptLine irq;
    private final ArrayDeque<Byte> rx = new ArrayDeque<>();
    private int ier;
    private int lcr = 0x03;
    private int mcr = 0x08;
    private int scratch;
    private int divisor = 12;
    private boolean fifoEnabled;
    private boolean txEmptyPending;
    private boolean lineAsserted;

    public Serial16550(OutputStream output, InterruptLine irq) {
        this.output = output;
        this.irq = irq;
    }

    /** Power-on register values; bytes already received stay queued (they are on the wire, not in the chip). */
    @Override
    public synchronized void reset() {
        ier = 0;
        lcr = 0x03;
        mcr = 0x08;
        scratch = 0;
        divisor = 12;
        fifoEnabled = false;
        txEmptyPending = false;
        updateInterrupt();
    }

    /** Bytes typed on the console side (called from the console thread). */
    public synchronized void receive(byte[] data, int length) {
        for (int i = 0; i < length && rx.size() < RX_FIFO_LIMIT; i++) {
            rx.add(data[i]);
        }
        updateInterrupt();
    }

    /** True when the guest has room for input (keeps the console from flooding the FIFO). */
    public synchronized boolean canReceive() {
        return rx.size() < 16;
    }

    @Override
    public synchronized int read(int offset, int size) {
        boolean dlab = (lcr & LCR_DLAB) != 0;
        return switch (offset) {
            case 0 -> dlab ? divisor & 0xff : receiveByte();
            case 1 -> dlab ? (divisor >> 8) & 0xff : ier;
            case 2 -> interruptIdentification();
            case 3 -> lcr;
            case 4 -> mcr;
            case 5 -> (rx.isEmpty() ? 0 : LSR_DATA_READY) | LSR_TX_EMPTY | LSR_TX_IDLE;
            case 6 -> modemStatus();
            case 7 -> scratch;
            default -> 0xff;
        };
    }

    @Override
    public synchronized void write(int offset, int size, int value) {
        value &= 0xff;
        boolean dlab = (lcr & LCR_DLAB) != 0;
        switch (offset) {
            case 0 -> {
                if (dlab) {
                    divisor = (divisor & 0xff00) | value;
                } else {
                    transmit(value);
                }
            }
            case 1 -> {
                if (dlab) {
                    divisor = (divisor & 0xff) | (value << 8);
                } else {
                    if ((value & IER_TX_EMPTY) != 0 && (ier & IER_TX_EMPTY) == 0) {
                        txEmptyPending = true; // enabling the interrupt with an empty transmitter raises it
                    }
                    ier = value & 0x0f;
                }
            }
            case 2 -> {
                fifoEnabled = (value & 0x01) != 0;
                if ((value & 0x02) != 0) {
                    rx.clear();
                }
            }
            case 3 -> lcr = value;
            case 4 -> mcr = value & 0x1f;
            case 7 -> scratch = value;
            default -> { }
        }
        updateInterrupt();
    }

    private void transmit(int value) {
        if ((mcr & MCR_LOOP) != 0) {
            if (rx.size() < RX_FIFO_LIMIT) {
                rx.add((byte) value);
            }
        } else {
            try {
                output.write(value);
                output.flush();
            } catch (IOException e) {
                // A closed console loses output, as a disconnected serial line would.
            }
        }
        txEmptyPending = true;
    }

    private int receiveByte() {
        Byte b = rx.poll();
        updateInterrupt();
        return b == null ? 0 : b & 0xff;
    }

    private int interruptIdentification() {
        int fifo = fifoEnabled ? IIR_FIFO_ENABLED : 0;
        if ((ier & IER_RX_AVAILABLE) != 0 && !rx.isEmpty()) {
            return fifo | IIR_RX_AVAILABLE;
        }
        if ((ier & IER_TX_EMPTY) != 0 && txEmptyPending) {
            txEmptyPending = false; // reading IIR acknowledges the transmitter interrupt
            updateInterrupt();
            return fifo | IIR_TX_EMPTY;
        }
        return fifo | IIR_NONE;
    }

    private int modemStatus() {
        if ((mcr & MCR_LOOP) == 0) {
            return MSR_CONNECTED;
        }
        // Loopback wires DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD.
        return ((mcr & 0x01) << 5) | ((mcr & 0x02) << 3) | ((mcr & 0x04) << 4) | ((mcr & 0x08) << 4);
    }

    private void updateInterrupt() {
        boolean pending = ((ier & IER_RX_AVAILABLE) != 0 && !rx.isEmpty())
                || ((ier & IER_TX_EMPTY) != 0 && txEmptyPending);
        if (pending != lineAsserted) {
            lineAsserted = pending;
            irq.set(pending);
        }
    }
}
