package org.qemu.common.hw.acpi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.qemu.common.hw.IoPortBus;

/**
 * The PM1 event and control registers as the ACPI specification (4.8.3.1, 4.8.3.2) and the
 * PIIX4 data sheet describe them, and the PIIX4 function's PMBASE/PMIOSE decoding.
 */
class AcpiPm1BlockTest {
    private final List<Boolean> sci = new ArrayList<>();
    private final List<Integer> sleeps = new ArrayList<>();
    private final AcpiPm1Block pm = new AcpiPm1Block(sci::add, sleeps::add);

    private boolean sciLevel() {
        return !sci.isEmpty() && sci.get(sci.size() - 1);
    }

    @Test
    void thePowerButtonRaisesTheSciOnlyWhileEnabledAndWriteOneClears() {
        pm.pressPowerButton();
        assertThat(pm.read(AcpiPm1Block.PM1_STATUS, 2) & AcpiPm1Block.POWER_BUTTON).as("status is set even when disabled").isNotZero();
        assertThat(sciLevel()).isFalse();
        pm.write(AcpiPm1Block.PM1_ENABLE, 2, AcpiPm1Block.POWER_BUTTON);
        assertThat(sciLevel()).as("enabling a pending event raises the SCI").isTrue();
        pm.write(AcpiPm1Block.PM1_STATUS, 2, 0);
        assertThat(sciLevel()).as("writing 0 changes nothing").isTrue();
        pm.write(AcpiPm1Block.PM1_STATUS + 1, 1, AcpiPm1Block.POWER_BUTTON >> 8);
        assertThat(pm.read(AcpiPm1Block.PM1_STATUS, 2)).isZero();
        assertThat(sciLevel()).isFalse();
        assertThat(pm.read(AcpiPm1Block.PM1_ENABLE, 2)).isEqualTo(AcpiPm1Block.POWER_BUTTON);
    }

    @Test
    void sleepEnableEntersTheStateSleepTypeNamesAndDoesNotReadBack() {
        pm.write(AcpiPm1Block.PM1_CONTROL, 2, AcpiPm1Block.SCI_ENABLE | 5 << 10);
        assertThat(sleeps).isEmpty();
        assertThat(pm.read(AcpiPm1Block.PM1_CONTROL, 2)).isEqualTo(AcpiPm1Block.SCI_ENABLE | 5 << 10);
        pm.write(AcpiPm1Block.PM1_CONTROL, 2, AcpiPm1Block.SLEEP_ENABLE | 0 << 10);
        pm.write(AcpiPm1Block.PM1_CONTROL, 2, AcpiPm1Block.SLEEP_ENABLE | 1 << 10);
        assertThat(sleeps).containsExactly(0, 1);
        assertThat(pm.read(AcpiPm1Block.PM1_CONTROL, 2) & AcpiPm1Block.SLEEP_ENABLE).isZero();
    }

    @Test
    void theTimerCountsAt3579545HzIn24Bits() throws InterruptedException {
        int first = pm.read(AcpiPm1Block.PM_TIMER, 4);
        long start = System.nanoTime();
        Thread.sleep(50);
        int second = pm.read(AcpiPm1Block.PM_TIMER, 4);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(first >>> 24).isZero();
        long ticks = (second - first) & 0xffffff;
        assertThat((double) ticks).isBetween(3_579_545 * seconds * 0.8, 3_579_545 * seconds * 1.2);
    }

    @Test
    void resetClearsEventsAndDropsTheSci() {
        pm.write(AcpiPm1Block.PM1_ENABLE, 2, AcpiPm1Block.POWER_BUTTON);
        pm.pressPowerButton();
        pm.reset();
        assertThat(pm.read(AcpiPm1Block.PM1_STATUS, 2)).isZero();
        assertThat(pm.read(AcpiPm1Block.PM1_ENABLE, 2)).isZero();
        assertThat(sciLevel()).isFalse();
    }

    @Test
    void piix4FunctionDecodesTheRegistersWherePmbaseSaysWhilePmioseIsSet() {
        IoPortBus bus = new IoPortBus();
        Piix4PowerManagement function = new Piix4PowerManagement(bus, pm);
        assertThat(function.readConfig(0, 4)).isEqualTo(0x71138086);
        assertThat(function.readConfig(Piix4PowerManagement.PMBASE_REGISTER, 4)).isEqualTo(0x601);
        assertThat(function.readConfig(0x3c, 1)).isEqualTo(9);
        pm.write(AcpiPm1Block.PM1_ENABLE, 2, 0x0100);
        assertThat(bus.in(0x602, 2)).isEqualTo(0x0100);

        function.writeConfig(Piix4PowerManagement.PMBASE_REGISTER, 4, 0xb000);
        assertThat(function.readConfig(Piix4PowerManagement.PMBASE_REGISTER, 4)).as("bit 0 reads as 1").isEqualTo(0xb001);
        assertThat(bus.in(0x602, 2)).as("the old place no longer decodes").isEqualTo(0xffff);
        assertThat(bus.in(0xb002, 2)).isEqualTo(0x0100);

        function.writeConfig(Piix4PowerManagement.PMREGMISC_REGISTER, 1, 0);
        assertThat(function.pmBase()).isEqualTo(-1);
        assertThat(bus.in(0xb002, 2)).isEqualTo(0xffff);
        function.writeConfig(Piix4PowerManagement.PMREGMISC_REGISTER, 1, 1);
        assertThat(bus.in(0xb002, 2)).isEqualTo(0x0100);
    }
}
