package org.qemu.common.board;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

import org.qemu.common.hw.PhysicalMemory;
import org.qemu.common.hw.InterruptLine;
import org.qemu.common.hw.IoPortBus;
import org.qemu.common.hw.MmioBus;
import org.qemu.common.hw.acpi.AcpiPm1Block;
import org.qemu.common.hw.acpi.Piix4PowerManagement;
import org.qemu.common.hw.Resettable;
import org.qemu.common.hw.legacy.CmosRtc;
import org.qemu.common.hw.legacy.I8042;
import org.qemu.common.hw.legacy.PostCodePort;
import org.qemu.common.hw.legacy.Serial16550;
import org.qemu.common.hw.pci.PciHostBridge;
import org.qemu.common.hw.pci.PiixIsaBridge;
import org.qemu.common.hw.virtio.VirtioPciLegacy;
import org.qemu.common.hw.virtio.block.BlockBackend;
import org.qemu.common.hw.virtio.block.VirtioBlock;

/**
 * The PC every x86 system emulator shares: COM1, the i8042 reset line, CMOS clock, port 0x80,
 * a PCI host bridge (slot 0) and PIIX3 ISA bridge (slot 1) with virtio-blk disks from slot 2, an MP table, and the kernel loaders. The interrupt
 * controller (PIC/IOAPIC) is not here: the accelerator supplies the lines ({@code gsi}), so KVM
 * can use its in-kernel irqchip and an emulated PC its own.
 */
public final class PcBoard {
    private static final int FIRST_VIRTIO_IO = 0xc000;
    private static final int[] PCI_IRQS = {10, 11};

    private final PhysicalMemory memory;
    private final int cpus;
    private final IoPortBus ioBus = new IoPortBus();
    private final MmioBus mmioBus = new MmioBus();
    private final Serial16550 serial;
    private final PostCodePort postCode = new PostCodePort();
    private final List<VirtioBlock> disks = new ArrayList<>();
    private final int[] pciSlotIrqs = new int[32];
    private final Piix4PowerManagement powerManagement;
    private volatile AcpiPm1Block.SleepHandler sleepHandler = type -> { };
    private final PciHostBridge pci;
    private final List<Runnable> firmwareSteps = new ArrayList<>();
    private final List<Resettable> resettables = new ArrayList<>();
    private int timerIoApicPin;

    public PcBoard(PhysicalMemory memory, int cpus, IntFunction<InterruptLine> gsi, Runnable resetLine,
            OutputStream serialOutput, List<BlockBackend> diskBackends) {
        this.memory = memory;
        this.cpus = cpus;
        Arrays.fill(pciSlotIrqs, -1);
        serial = new Serial16550(serialOutput, gsi.apply(Serial16550.COM1_IRQ));
        ioBus.register(Serial16550.COM1_BASE, 8, serial);
        resettables.add(serial);
        I8042 i8042 = new I8042(resetLine, gsi.apply(I8042.KEYBOARD_IRQ));
        resettables.add(i8042);
        ioBus.register(I8042.DATA_PORT, 1, i8042.dataPort());
        ioBus.register(I8042.COMMAND_PORT, 1, i8042.commandPort());
        CmosRtc cmos = new CmosRtc(memory.below4gSize(), memory.above4gSize(), Clock.systemUTC(),
                gsi.apply(CmosRtc.IRQ), System::nanoTime);
        ioBus.register(CmosRtc.BASE, 2, cmos);
        resettables.add(cmos);
        ioBus.register(PostCodePort.PORT, 1, postCode);
        pci = new PciHostBridge(ioBus);
        resettables.add(pci::reset);
        ioBus.register(PciHostBridge.BASE, PciHostBridge.LENGTH, pci);
        int southBridge = pci.plug(new PiixIsaBridge());
        powerManagement = new Piix4PowerManagement(ioBus,
                new AcpiPm1Block(gsi.apply(Piix4PowerManagement.SCI_IRQ), type -> sleepHandler.sleep(type)));
        pci.plugFunction(southBridge, 3, powerManagement);
        resettables.add(powerManagement.registers());
        int index = 0;
        for (BlockBackend backend : diskBackends) {
            int irq = PCI_IRQS[index % PCI_IRQS.length];
            VirtioBlock block = new VirtioBlock(memory, backend, "QJ" + index);
            VirtioPciLegacy transport = new VirtioPciLegacy(block, memory, gsi.apply(irq), VirtioBlock.PCI_CLASS);
            int slot = pci.plug(transport);
            transport.interrupt(1, irq);
            int ioBase = FIRST_VIRTIO_IO + VirtioPciLegacy.BAR_SIZE * index;
            Runnable assign = () -> transport.assignIoBar(0, ioBase);
            assign.run();
            firmwareSteps.add(assign);
            pciSlotIrqs[slot] = irq;
            disks.add(block);
            index++;
        }
    }

    /**
     * The I/O APIC pin the PIT's IRQ 0 reaches, as the MP table tells the guest: 0 by default
     * (KVM's in-kernel routing), 2 on the emulated PC (QEMU's pc wiring).
     */
    public void setTimerIoApicPin(int pin) {
        this.timerIoApicPin = pin;
    }

    /** The I/O APIC's ID in the MP table: the first ID after the CPUs'. */
    public int ioApicId() {
        return cpus;
    }

    /**
     * Devices the accelerator adds (an emulated PC's interrupt controllers and timer), reset
     * with the board's own.
     */
    public void addResettable(Resettable device) {
        resettables.add(device);
    }

    /**
     * The reset line: every device back to its power-on state, then what our firmware does at
     * power-on (PCI BARs assigned). RAM and the CMOS NVRAM are kept, as on QEMU's pc; the caller
     * reloads the kernel with {@link #loadKernel} and restarts the CPUs.
     */
    public void reset() {
        for (Resettable device : resettables) {
            device.reset();
        }
        firmwareSteps.forEach(Runnable::run);
    }

    public IoPortBus ioBus() {
        return ioBus;
    }

    public MmioBus mmioBus() {
        return mmioBus;
    }

    public Serial16550 serial() {
        return serial;
    }

    public PhysicalMemory memory() {
        return memory;
    }

    /** The ACPI power button and sleep control (PIIX4 function 3). */
    public AcpiPm1Block acpi() {
        return powerManagement.registers();
    }

    /** What the machine does when the guest enters an ACPI sleep state (type 0 is S5, soft off, on QEMU's pc). */
    public void onSleep(AcpiPm1Block.SleepHandler handler) {
        this.sleepHandler = handler;
    }

    public List<VirtioBlock> disks() {
        return disks;
    }

    /**
     * Loads {@code -kernel} (a bzImage, else a multiboot ELF) with its initrd and command line,
     * writes the MP table, and returns the boot processor's starting state.
     */
    public BootState loadKernel(Path kernel, Path initrd, String cmdline) throws BootException {
        return loadKernel(kernel, initrd, cmdline, false);
    }

    /** As {@link #loadKernel(Path, Path, String)}; {@code linux32}: a bzImage is entered through the 32-bit boot protocol. */
    public BootState loadKernel(Path kernel, Path initrd, String cmdline, boolean linux32) throws BootException {
        byte[] image = readFile(kernel, "kernel");
        MpTable.write(memory, PcMemoryMap.MP_TABLE, cpus, cpus, pciSlotIrqs, timerIoApicPin);
        if (LinuxLoader.isBzImage(image)) {
            byte[] ramdisk = initrd == null ? null : readFile(initrd, "initrd");
            if (linux32) {
                BootState state = LinuxLoader.load32(image, ramdisk, cmdline, memory);
                BootTables.writeGdt(memory, false);
                return state;
            }
            BootState state = LinuxLoader.load(image, ramdisk, cmdline, memory);
            BootTables.writeGdt(memory, true);
            BootTables.writeIdentityPageTables(memory);
            return state;
        }
        if (MultibootLoader.isMultiboot(image)) {
            if (initrd != null) {
                throw new BootException("-initrd is not supported with multiboot kernels");
            }
            BootState state = MultibootLoader.load(image, cmdline, memory);
            BootTables.writeGdt(memory, false);
            return state;
        }
        throw new BootException("could not load kernel '" + kernel + "': not a Linux bzImage or multiboot kernel");
    }

    private static byte[] readFile(Path file, String what) throws BootException {
        try {
            return Files.readAllBytes(file);
        } catch (IOException | OutOfMemoryError e) {
            throw new BootException("could not read " + what + " '" + file + "': " + e.getMessage());
        }
    }
}
