package org.qemu.common.hw.intc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The local APIC as Intel SDM vol. 3, chapter 11 lays it out: registers, IPIs, priorities, EOI and the timer. */
class LocalApicTest {
    private final List<String> sent = new ArrayList<>();
    private final ApicBus bus = new ApicBus(new LocalApic.IpiSender() {
        @Override
        public void init(int destination) {
            sent.add("INIT " + destination);
        }

        @Override
        public void startup(int destination, int vector) {
            sent.add("SIPI " + destination + " vector " + Integer.toHexString(vector));
        }
    });
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private List<LocalApic> apics(int count) {
        List<LocalApic> list = new ArrayList<>();
        for (int id = 0; id < count; id++) {
            LocalApic apic = new LocalApic(id, id == 0, bus, () -> { }, now::get);
            bus.attach(apic);
            list.add(apic);
        }
        return list;
    }

    @Test
    void idAndVersionRegisters() {
        LocalApic apic = apics(4).get(3);
        assertThat(apic.read(0x20, 4)).isEqualTo(3L << 24);
        assertThat(apic.read(0x30, 4) & 0xff).as("integrated APIC version").isEqualTo(0x14);
        assertThat((apic.read(0x30, 4) >> 16) & 0xff).as("max LVT entry").isEqualTo(5);
        assertThat(apic.read(0xf0, 4)).as("spurious vector register after reset").isEqualTo(0xff);
        apic.write(0x20, 4, 0x7L << 24);
        assertThat(apic.read(0x20, 4)).isEqualTo(3L << 24);
    }

    @Test
    void initSipiSequenceByPhysicalDestination() {
        LocalApic apic = apics(2).get(0);
        apic.write(0x310, 4, 1L << 24);
        apic.write(0x300, 4, 0x4500); // INIT, level assert
        apic.write(0x300, 4, 0x8500); // INIT level de-assert: no IPI
        apic.write(0x300, 4, 0x4608); // STARTUP vector 8
        assertThat(apic.read(0x300, 4) & (1 << 12)).as("delivery status idle").isZero();
        assertThat(apic.read(0x310, 4)).isEqualTo(1L << 24);
        assertThat(sent).containsExactly("INIT 1", "SIPI 1 vector 8");
    }

    @Test
    void shorthandsSelfAllAndAllButSelf() {
        List<LocalApic> apics = apics(3);
        LocalApic apic = apics.get(1);
        apic.write(0x300, 4, 0xc4500); // all excluding self
        assertThat(sent).containsExactly("INIT 0", "INIT 2");
        sent.clear();
        apic.write(0x300, 4, 0x84610); // all including self
        assertThat(sent).containsExactly("SIPI 0 vector 10", "SIPI 1 vector 10", "SIPI 2 vector 10");
        apic.write(0x300, 4, 0x40040); // fixed IPI to self, vector 0x40
        assertThat(apic.interruptPending()).isTrue();
        assertThat(apics.get(0).interruptPending()).isFalse();
    }

    @Test
    void fixedIpiByPhysicalAndFlatLogicalDestination() {
        List<LocalApic> apics = apics(3);
        apics.get(0).write(0x310, 4, 2L << 24);
        apics.get(0).write(0x300, 4, 0x4051); // fixed, physical, vector 0x51 to APIC 2
        assertThat(apics.get(2).acknowledge()).isEqualTo(0x51);
        assertThat(apics.get(1).interruptPending()).isFalse();
        apics.get(1).write(0xd0, 4, 0x02L << 24); // LDR: logical ID bit 1 (flat model, DFR all ones)
        apics.get(2).write(0xd0, 4, 0x04L << 24);
        apics.get(0).write(0x310, 4, 0x06L << 24);
        apics.get(0).write(0x300, 4, 0x4862); // fixed, logical, vector 0x62 to MDA 0x06
        assertThat(apics.get(1).interruptPending()).isTrue();
        assertThat(apics.get(2).interruptPending()).isTrue();
        assertThat(apics.get(0).interruptPending()).isFalse();
    }

    @Test
    void clusterModelMatchesClusterAndMemberBits() {
        List<LocalApic> apics = apics(2);
        apics.get(1).write(0xe0, 4, 0x0fffffff); // DFR: cluster model
        apics.get(1).write(0xd0, 4, 0x21L << 24); // cluster 2, member bit 0
        assertThat(apics.get(1).matchesLogical(0x21)).isTrue();
        assertThat(apics.get(1).matchesLogical(0x23)).isTrue();
        assertThat(apics.get(1).matchesLogical(0x11)).as("another cluster").isFalse();
        assertThat(apics.get(1).matchesLogical(0x22)).as("another member").isFalse();
    }

    /** 11.8.3: an interrupt is taken only if its priority class is above PPR = max(TPR, class of highest ISR). */
    @Test
    void priorityClassesTaskPriorityAndEoi() {
        LocalApic apic = apics(1).get(0);
        apic.accept(0x45, false);
        apic.accept(0x81, false);
        assertThat(apic.acknowledge()).as("highest vector first").isEqualTo(0x81);
        assertThat(apic.read(0x100 + 0x40, 4) & (1L << 1)).as("ISR bit of 0x81").isNotZero();
        assertThat(apic.read(0xa0, 4)).as("PPR = class of the in-service vector").isEqualTo(0x80);
        assertThat(apic.interruptPending()).as("0x45 is below the in-service class").isFalse();
        apic.write(0xb0, 4, 0); // EOI
        assertThat(apic.interruptPending()).isTrue();
        apic.write(0x80, 4, 0x50); // TPR class 5 blocks class 4
        assertThat(apic.interruptPending()).isFalse();
        assertThat(apic.acknowledge()).as("nothing deliverable: the spurious vector").isEqualTo(0xff);
        apic.write(0x80, 4, 0x00);
        assertThat(apic.acknowledge()).isEqualTo(0x45);
        assertThat(apic.read(0x200 + 0x20, 4)).as("IRR empty").isZero();
    }

    @Test
    void vectorsBelowSixteenAreDiscarded() {
        LocalApic apic = apics(1).get(0);
        apic.accept(0x0e, false);
        assertThat(apic.interruptPending()).isFalse();
    }

    @Test
    void bootProcessorPassesThe8259ThroughLint0AndSoftwareDisableMasksIt() {
        List<LocalApic> apics = apics(2);
        assertThat(apics.get(0).acceptsExternalInterrupts()).as("BSP: LINT0 ExtINT at reset").isTrue();
        assertThat(apics.get(1).acceptsExternalInterrupts()).isFalse();
        apics.get(0).write(0xf0, 4, 0x1ff);
        apics.get(0).write(0x350, 4, 0x10700); // mask LINT0, as Linux does when it uses the I/O APIC
        assertThat(apics.get(0).acceptsExternalInterrupts()).isFalse();
        apics.get(0).write(0x350, 4, 0x700);
        assertThat(apics.get(0).acceptsExternalInterrupts()).isTrue();
        apics.get(0).write(0xf0, 4, 0x0ff); // software disable masks every LVT entry
        assertThat(apics.get(0).read(0x350, 4) & (1 << 16)).isNotZero();
    }

    /** 11.5.4: the timer counts down from the initial count at the bus clock divided by the divide configuration. */
    @Test
    void timerCurrentCountFollowsTheDivideConfiguration() {
        LocalApic apic = apics(1).get(0);
        apic.write(0xf0, 4, 0x1ff);
        apic.write(0x3e0, 4, 0x3); // divide by 16
        apic.write(0x320, 4, 0x10040); // masked, one-shot
        apic.write(0x380, 4, 1000);
        now.addAndGet(160); // 10 ticks
        assertThat(apic.read(0x390, 4)).isEqualTo(990);
        now.addAndGet(16 * 2000);
        assertThat(apic.read(0x390, 4)).as("one-shot stops at 0").isZero();
        apic.write(0x3e0, 4, 0xb); // divide by 1
        apic.write(0x320, 4, 0x20040); // periodic
        apic.write(0x380, 4, 1000);
        now.addAndGet(2500);
        assertThat(apic.read(0x390, 4)).as("periodic reloads").isEqualTo(500);
        assertThat(apic.read(0x3e0, 4)).isEqualTo(0xb);
        apic.close();
    }

    @Test
    void oneShotTimerInterruptsOnceAndPeriodicKeepsInterruptingInHostTime() throws Exception {
        LocalApic apic = new LocalApic(0, true, bus, () -> { });
        bus.attach(apic);
        apic.write(0xf0, 4, 0x1ff);
        apic.write(0x3e0, 4, 0xb);
        apic.write(0x320, 4, 0x00041); // one-shot, vector 0x41
        apic.write(0x380, 4, 2_000_000); // 2 ms
        Thread.sleep(100);
        assertThat(apic.acknowledge()).isEqualTo(0x41);
        apic.write(0xb0, 4, 0);
        assertThat(apic.interruptPending()).as("one-shot: no second interrupt").isFalse();
        apic.write(0x320, 4, 0x20042); // periodic, vector 0x42
        apic.write(0x380, 4, 1_000_000); // 1 ms
        int taken = 0;
        long end = System.nanoTime() + 300_000_000L;
        while (System.nanoTime() < end && taken < 5) {
            if (apic.interruptPending()) {
                assertThat(apic.acknowledge()).isEqualTo(0x42);
                apic.write(0xb0, 4, 0);
                taken++;
            }
            Thread.sleep(1);
        }
        apic.close();
        assertThat(taken).isEqualTo(5);
    }
}
