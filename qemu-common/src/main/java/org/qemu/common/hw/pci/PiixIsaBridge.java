package org.qemu.common.hw.pci;

/**
 * The PCI-to-ISA bridge function of the PC's south bridge (Intel PIIX3, 82371SB, function 0),
 * behind which the legacy devices sit. It decodes nothing itself here; guests find it at
 * slot 1 as on QEMU's pc machine, so PCI enumerations of both machines list the same slots.
 */
public final class PiixIsaBridge extends PciDevice {
    public static final int VENDOR_INTEL = 0x8086;
    public static final int DEVICE_PIIX3_ISA = 0x7000;
    public static final int CLASS_ISA_BRIDGE = 0x060100;

    public PiixIsaBridge() {
        super(VENDOR_INTEL, DEVICE_PIIX3_ISA, CLASS_ISA_BRIDGE, 0, 0x1af4, 0x1100);
        presetConfigByte(0x0e, 0x80); // multi-function: power management answers at function 3
    }
}
