package org.qemu.common.board;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

/** The pause gate: stop returns only once the CPU threads stand still; cont and the end let them go. */
class RunControlTest {
    private final RunControl control = new RunControl();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final AtomicLong work = new AtomicLong();
    private volatile boolean done;

    private Thread cpu() {
        control.cpuStarted();
        Thread t = Thread.ofPlatform().daemon().start(() -> {
            try {
                while (!done) {
                    control.parkIfPaused();
                    work.incrementAndGet();
                    LockSupport.parkNanos(100_000);
                }
            } finally {
                control.cpuStopped();
            }
        });
        return t;
    }

    @Test
    void pauseStopsEveryCpuAndResumeLetsThemGo() throws Exception {
        control.addListener(e -> events.add(e.name()));
        Thread a = cpu();
        Thread b = cpu();
        assertThat(control.pause(() -> { })).isTrue();
        long stopped = work.get();
        Thread.sleep(50);
        assertThat(work.get()).as("no CPU moves while paused").isEqualTo(stopped);
        assertThat(control.status()).isEqualTo("paused");
        assertThat(control.pause(() -> { })).as("a second stop changes nothing").isFalse();
        assertThat(control.resume()).isTrue();
        Thread.sleep(50);
        assertThat(work.get()).isGreaterThan(stopped);
        assertThat(control.resume()).isFalse();
        assertThat(events).containsExactly("STOP", "RESUME");
        done = true;
        a.join();
        b.join();
    }

    @Test
    void theEndReleasesPausedCpusAndIsReportedOnce() throws Exception {
        control.addListener(e -> events.add(e.name() + e.data()));
        Thread a = cpu();
        control.pause(() -> { });
        done = true;
        control.end(MachineEvent.shutdown(false, "host-qmp-quit"));
        control.end(MachineEvent.shutdown(true, "guest-shutdown"));
        a.join(2000);
        assertThat(a.isAlive()).isFalse();
        assertThat(control.status()).isEqualTo("shutdown");
        assertThat(events).hasSize(2).last().asString().contains("host-qmp-quit");
    }

    @Test
    void whileStoppedHoldsTheCpusForTheActionOnlyAndEmitsNothing() throws Exception {
        control.addListener(e -> events.add(e.name()));
        Thread a = cpu();
        Thread b = cpu();
        Thread.sleep(20);
        long[] during = new long[2];
        String answer = control.whileStopped(() -> { }, () -> {
            during[0] = work.get();
            LockSupport.parkNanos(50_000_000);
            during[1] = work.get();
            return "dump";
        });
        assertThat(answer).isEqualTo("dump");
        assertThat(during[1]).as("no CPU moves during the action").isEqualTo(during[0]);
        assertThat(control.status()).isEqualTo("running");
        Thread.sleep(50);
        assertThat(work.get()).as("the CPUs go on afterwards").isGreaterThan(during[1]);
        assertThat(events).as("the run state never changed").isEmpty();

        control.pause(() -> { });
        long paused = work.get();
        control.whileStopped(() -> { }, () -> "dump");
        Thread.sleep(50);
        assertThat(work.get()).as("a machine stopped before stays stopped").isEqualTo(paused);
        assertThat(control.status()).isEqualTo("paused");
        control.resume();
        Thread.sleep(50);
        assertThat(work.get()).isGreaterThan(paused);
        assertThat(events).containsExactly("STOP", "RESUME");
        done = true;
        a.join();
        b.join();
    }
}
