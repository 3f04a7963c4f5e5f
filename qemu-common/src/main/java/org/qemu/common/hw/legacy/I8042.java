package org.qemu.common.hw.legacy;

import java.util.ArrayDeque;

import org.qemu.common.hw.InterruptLine;
import org.qemu.common.hw.IoPortDevice;

/**
 * The PS/2 controller at 0x60 (data) and 0x64 (status/command), with no keyboard attached
 * beyond acknowledging commands. Its job here is the system reset line: command 0xFE, or
 * clearing bit 0 of the output port, pulses reset, which is how Linux with {@code reboot=k} reboots.
 */
public final class I8042 implements org.qemu.common.hw.Resettable {
    public static final int DATA_PORT = 0x60;
    public static final int COMMAND_PORT = 0x64;
    public static final int KEYBOARD_IRQ = 1;

    private static final int STATUS_OUTPUT_FULL = 0x01;
    private static final int STATUS_SYSTEM = 0x04;
    private static final int STATUS_COMMAND = 0x08;

    private final Runnable resetLine;
    private final InterruptLine irq;
    private final ArrayDeque<Integer> output = new ArrayDeque<>();
    private int commandByte = 0x45;
    private int pendingCommand = -1;
    private boolean lastWasCommand;

    public I8042(Runnable resetLine, InterruptLine irq) {
        this.resetLine = resetLine;
        this.irq = irq;
    }

    @Override
    public synchronized void reset() {
        output.clear();
        irq.set(false);
        commandByte = 0x45;
        pendingCommand = -1;
        lastWasCommand = false;
    }

    public IoPortDevice dataPort() {
        return new IoPortDevice() {
            @Override
            public int read(int offset, int size) {
                return readData();
            }

            @Override
            public void write(int offset, int size, int value) {
                writeData(value & 0xff);
            }
        };
    }

    public IoPortDevice commandPort() {
        return new IoPortDevice() {
            @Override
            public int read(int offset, int size) {
                return status();
            }

            @Override
            public void write(int offset, int size, int value) {
                command(value & 0xff);
            }
        };
    }

    private synchronized int status() {
        return (output.isEmpty() ? 0 : STATUS_OUTPUT_FULL) | STATUS_SYSTEM | (lastWasCommand ? STATUS_COMMAND : 0);
    }

    private synchronized int readData() {
        Integer v = output.poll();
        irq.set(false);
        return v == null ? 0 : v;
    }

    private synchronized void command(int command) {
        lastWasCommand = true;
        switch (command) {
            case 0x20 -> reply(commandByte);
            case 0x60, 0xd1, 0xd2, 0xd3, 0xd4 -> pendingCommand = command;
            case 0xaa -> reply(0x55);            // controller self-test passed
            case 0xab, 0xa9 -> reply(0x00);      // port tests passed
            case 0xd0 -> reply(0x01);            // output port: reset line high (not in reset)
            case 0xfe -> resetLine.run();        // pulse the reset line
            default -> { }                       // enable/disable ports and the like: accepted, no effect
        }
    }

    private synchronized void writeData(int value) {
        lastWasCommand = false;
        int command = pendingCommand;
        pendingCommand = -1;
        switch (command) {
            case 0x60 -> commandByte = value;
            case 0xd1 -> {
                if ((value & 0x01) == 0) {
                    resetLine.run();
                }
            }
            case 0xd2, 0xd3 -> reply(value);      // echo as if from the keyboard or mouse
            case 0xd4 -> { }                      // to the (absent) mouse
            default -> {
                // A keyboard command: acknowledge; reset also reports a passed self-test.
                reply(0xfa);
                if (value == 0xff) {
                    reply(0xaa);
                }
            }
        }
    }

    private void reply(int value) {
        output.add(value);
        if ((commandByte & 0x01) != 0) {
            irq.pulse();
        }
    }
}
