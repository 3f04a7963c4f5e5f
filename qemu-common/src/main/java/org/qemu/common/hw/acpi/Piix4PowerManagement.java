package org.qemu.common.hw.acpi;

import org.qemu.common.hw.IoPortBus;
import org.qemu.common.hw.pci.PciDevice;

/**
 * The PIIX4's power management function (82371AB function 3, 8086:7113), where QEMU's pc
 * machine keeps its ACPI registers: PMBASE (config 0x40, bits 15:6) places the {@link
 * AcpiPm1Block} in I/O space while PMIOSE (config 0x80, bit 0) is set. Built as firmware leaves
 * it on QEMU's pc (SeaBIOS): PMBASE 0x600, enabled, SCI on IRQ 9, so a guest without firmware
 * finds the same registers at the same place.
 */
public final class Piix4PowerManagement extends PciDevice {
    public static final int VENDOR_INTEL = 0x8086;
    public static final int DEVICE_PIIX4_PM = 0x7113;
    public static final int CLASS_BRIDGE_OTHER = 0x068000;
    public static final int PMBASE_REGISTER = 0x40;
    public static final int PMREGMISC_REGISTER = 0x80;
    public static final int FIRMWARE_PMBASE = 0x600;
    public static final int SCI_IRQ = 9;

    private final IoPortBus ioBus;
    private final AcpiPm1Block registers;
    private int mappedBase = -1;

    public Piix4PowerManagement(IoPortBus ioBus, AcpiPm1Block registers) {
        super(VENDOR_INTEL, DEVICE_PIIX4_PM, CLASS_BRIDGE_OTHER, 0x03, 0x1af4, 0x1100);
        this.ioBus = ioBus;
        this.registers = registers;
        interrupt(1, SCI_IRQ);
        presetConfigByte(PMBASE_REGISTER, FIRMWARE_PMBASE & 0xc0 | 1);
        presetConfigByte(PMBASE_REGISTER + 1, FIRMWARE_PMBASE >> 8);
        presetConfigByte(PMREGMISC_REGISTER, 1);
        remapRegisters();
    }

    public AcpiPm1Block registers() {
        return registers;
    }

    /** Where the PM1 registers decode now, or -1. */
    public synchronized int pmBase() {
        return mappedBase;
    }

    @Override
    protected boolean functionRegisterWritable(int offset) {
        return (offset >= PMBASE_REGISTER && offset < PMBASE_REGISTER + 4) || offset == PMREGMISC_REGISTER;
    }

    @Override
    protected void configWritten(int offset, int size) {
        if (offset + size > PMBASE_REGISTER && offset < PMBASE_REGISTER + 4 || offset <= PMREGMISC_REGISTER && offset + size > PMREGMISC_REGISTER) {
            // Bit 0 of PMBASE reads as 1 (I/O space indicator); bits 5:1 and 31:16 are reserved, zero.
            presetConfigByte(PMBASE_REGISTER, readConfig(PMBASE_REGISTER, 1) & 0xc0 | 1);
            presetConfigByte(PMBASE_REGISTER + 2, 0);
            presetConfigByte(PMBASE_REGISTER + 3, 0);
            presetConfigByte(PMREGMISC_REGISTER, readConfig(PMREGMISC_REGISTER, 1) & 1);
            remapRegisters();
        }
    }

    private synchronized void remapRegisters() {
        int base = readConfig(PMBASE_REGISTER, 2) & 0xffc0;
        boolean enabled = (readConfig(PMREGMISC_REGISTER, 1) & 1) != 0;
        int wanted = enabled && base != 0 ? base : -1;
        if (wanted == mappedBase) {
            return;
        }
        if (mappedBase >= 0) {
            ioBus.unregister(mappedBase, AcpiPm1Block.LENGTH, registers);
        }
        mappedBase = -1;
        if (wanted >= 0) {
            try {
                ioBus.register(wanted, AcpiPm1Block.LENGTH, registers);
                mappedBase = wanted;
            } catch (IllegalStateException e) {
                // placed over another device's ports: it does not decode, as on a real board
            }
        }
    }
}
