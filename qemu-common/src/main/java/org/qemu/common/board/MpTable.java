package org.qemu.common.board;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import org.qemu.common.hw.PhysicalMemory;

/**
 * An Intel MultiProcessor Specification 1.4 table: how a kernel without ACPI learns the CPUs
 * (local APIC IDs 0..n-1), the IOAPIC, and which IOAPIC pin each ISA IRQ and PCI slot uses.
 */
public final class MpTable {
    public static final long IOAPIC_ADDRESS = 0xfec00000L;
    public static final long LAPIC_ADDRESS = 0xfee00000L;
    private static final int PCI_BUS = 0;
    private static final int ISA_BUS = 1;

    private MpTable() {
    }

    /**
     * Writes the floating pointer and configuration table at {@code address}; {@code pciIrqs}
     * maps PCI slots to the IOAPIC pin their INTA is wired to (index = slot, -1 = empty).
     */
    public static void write(PhysicalMemory memory, long address, int cpus, int ioapicId, int[] pciIrqs) {
        write(memory, address, cpus, ioapicId, pciIrqs, 0);
    }

    /**
     * As above, with ISA IRQ 0 (the PIT) on I/O APIC pin {@code timerPin}: 0 where KVM's default
     * GSI routing feeds pin 0, 2 on an emulated PC, where the timer is wired as on QEMU's pc.
     */
    public static void write(PhysicalMemory memory, long address, int cpus, int ioapicId, int[] pciIrqs, int timerPin) {
        ByteArrayOutputStream entries = new ByteArrayOutputStream();
        int count = 0;
        for (int cpu = 0; cpu < cpus; cpu++) {
            ByteBuffer e = entry(20);
            e.put((byte) 0).put((byte) cpu).put((byte) 0x14).put((byte) (cpu == 0 ? 0x3 : 0x1)); // enabled, BSP flag
            e.putInt(0x000306c3).putInt(0x0201); // a family 6 signature; features FPU, APIC
            entries.writeBytes(e.array());
            count++;
        }
        entries.writeBytes(bus(PCI_BUS, "PCI   "));
        entries.writeBytes(bus(ISA_BUS, "ISA   "));
        count += 2;
        ByteBuffer io = entry(8);
        io.put((byte) 2).put((byte) ioapicId).put((byte) 0x11).put((byte) 0x1).putInt((int) IOAPIC_ADDRESS);
        entries.writeBytes(io.array());
        count++;
        for (int irq = 0; irq < 16; irq++) {
            if (irq == 2) {
                continue; // the PIC cascade, never a device interrupt
            }
            // ISA IRQ n on IOAPIC pin n; IRQ 0 on timerPin. KVM's default GSI routing sends GSI 0 to
            // pin 0, which the in-kernel PIT uses (QEMU reroutes it to pin 2 with KVM_SET_GSI_ROUTING).
            entries.writeBytes(interrupt(3, 0, 0, ISA_BUS, irq, ioapicId, irq == 0 ? timerPin : irq));
            count++;
        }
        for (int slot = 0; slot < pciIrqs.length; slot++) {
            if (pciIrqs[slot] >= 0) {
                // Level-triggered, active-high, as the in-kernel IOAPIC receives KVM_IRQ_LINE levels.
                entries.writeBytes(interrupt(3, 0, 0x0d, PCI_BUS, slot << 2, ioapicId, pciIrqs[slot]));
                count++;
            }
        }
        entries.writeBytes(interrupt(4, 3, 0, ISA_BUS, 0, 0xff, 0)); // LINT0: ExtINT from the PIC
        entries.writeBytes(interrupt(4, 1, 0, ISA_BUS, 0, 0xff, 1)); // LINT1: NMI
        count += 2;

        byte[] body = entries.toByteArray();
        long config = address + 16;
        ByteBuffer h = ByteBuffer.allocate(44 + body.length).order(ByteOrder.LITTLE_ENDIAN);
        h.put("PCMP".getBytes(StandardCharsets.US_ASCII)).putShort((short) (44 + body.length)).put((byte) 4).put((byte) 0);
        h.put(pad("QEMUJAVA", 8)).put(pad("PC", 12));
        h.putInt(0).putShort((short) 0).putShort((short) count).putInt((int) LAPIC_ADDRESS).putShort((short) 0)
                .put((byte) 0).put((byte) 0);
        h.put(body);
        byte[] table = h.array();
        table[7] = checksum(table);
        ByteBuffer f = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        f.put("_MP_".getBytes(StandardCharsets.US_ASCII)).putInt((int) config).put((byte) 1).put((byte) 4).put((byte) 0)
                .put((byte) 0).putInt(0);
        byte[] floating = f.array();
        floating[10] = checksum(floating);
        memory.write(address, floating);
        memory.write(config, table);
    }

    private static ByteBuffer entry(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] bus(int id, String type) {
        ByteBuffer e = entry(8);
        e.put((byte) 1).put((byte) id).put(type.getBytes(StandardCharsets.US_ASCII));
        return e.array();
    }

    private static byte[] interrupt(int kind, int type, int flags, int bus, int source, int apic, int pin) {
        ByteBuffer e = entry(8);
        e.put((byte) kind).put((byte) type).putShort((short) flags).put((byte) bus).put((byte) source).put((byte) apic).put((byte) pin);
        return e.array();
    }

    private static byte[] pad(String s, int length) {
        return java.util.Arrays.copyOf(s.getBytes(StandardCharsets.US_ASCII), length);
    }

    /** The byte that makes the whole structure sum to zero. */
    static byte checksum(byte[] data) {
        int sum = 0;
        for (byte x : data) {
            sum += x;
        }
        return (byte) -sum;
    }
}
