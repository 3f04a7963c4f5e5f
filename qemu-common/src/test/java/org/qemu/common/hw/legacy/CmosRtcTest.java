package org.qemu.common.hw.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.qemu.common.hw.IoPortBus;

/** The MC146818's interrupts and clock setting, as its data sheet describes registers A-C and the SET bit. */
class CmosRtcTest {
    private final IoPortBus io = new IoPortBus();
    private final AtomicInteger raised = new AtomicInteger();
    private final CmosRtc rtc = new CmosRtc(64L << 20, 0, Clock.systemUTC(), level -> {
        if (level) {
            raised.incrementAndGet();
        }
    }, System::nanoTime);

    CmosRtcTest() {
        io.register(CmosRtc.BASE, 2, rtc);
    }

    private int read(int index) {
        io.out(0x70, 1, index);
        return io.in(0x71, 1);
    }

    private void write(int index, int value) {
        io.out(0x70, 1, index);
        io.out(0x71, 1, value);
    }

    @Test
    void periodicInterruptAtRegisterARateUntilRegisterCIsRead() throws Exception {
        read(0x0c);
        write(0x0a, 0x26); // 1024 Hz
        write(0x0b, 0x42); // PIE, 24-hour
        Thread.sleep(50);
        assertThat(raised.get()).as("raised once, held until C is read").isEqualTo(1);
        assertThat(read(0x0c) & 0xc0).as("IRQF and PF").isEqualTo(0xc0);
        Thread.sleep(50);
        assertThat(raised.get()).isEqualTo(2);
        write(0x0b, 0x02);
        read(0x0c);
        rtc.close();
    }

    @Test
    void updateEndedInterruptOnceASecond() throws Exception {
        read(0x0c);
        write(0x0b, 0x12); // UIE
        Thread.sleep(1300);
        assertThat(raised.get()).isEqualTo(1);
        assertThat(read(0x0c) & 0x90).as("IRQF and UF").isEqualTo(0x90);
        rtc.close();
    }

    @Test
    void setBitHoldsTheClockWhileTheGuestWritesIt() throws Exception {
        write(0x0b, 0x82); // SET
        write(0x00, 0x30);
        write(0x02, 0x34);
        write(0x04, 0x12);
        write(0x07, 0x14);
        write(0x08, 0x07);
        write(0x09, 0x09);
        write(0x32, 0x20);
        Thread.sleep(1100);
        assertThat(read(0x00)).as("held while SET").isEqualTo(0x30);
        write(0x0b, 0x02);
        Thread.sleep(1100);
        assertThat(read(0x00)).isBetween(0x31, 0x33);
        assertThat(new int[] {read(0x32), read(0x09), read(0x08), read(0x07), read(0x04), read(0x02)})
                .containsExactly(0x20, 0x09, 0x07, 0x14, 0x12, 0x34);
        write(0x0b, 0x06); // binary mode reads the same time in binary
        assertThat(read(0x02)).isEqualTo(34);
        rtc.close();
    }
}
