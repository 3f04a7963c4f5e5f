package org.qemu.common.linux.syscall;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qemu.common.linux.Errno;
import org.qemu.common.linux.GuestData;
import org.qemu.common.memory.GuestMemory;

import static org.assertj.core.api.Assertions.assertThat;

class FutexesTest {
    private final GuestMemory memory = new GuestMemory(24);
    private final GuestData data = new GuestData(memory, 4, false);
    private final Futexes futexes = new Futexes(data);
    private static final long WORD = 0x1000;

    FutexesTest() {
        memory.map(0, 0x10000, GuestMemory.READ | GuestMemory.WRITE);
    }

    @AfterEach
    void close() {
        memory.close();
    }

    @Test
    void waitReturnsEagainWhenTheValueChanged() {
        data.put32(WORD, 5);
        assertThat(futexes.wait(WORD, 4, -1, -1, () -> false)).isEqualTo(-Errno.EAGAIN);
    }

    @Test
    void waitTimesOut() {
        long start = System.nanoTime();
        assertThat(futexes.wait(WORD, 0, 50_000_000L, -1, () -> false)).isEqualTo(-Errno.ETIMEDOUT);
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(50_000_000L);
    }

    @Test
    void wakeReleasesAWaiter() throws Exception {
        CompletableFuture<Integer> waiter = CompletableFuture.supplyAsync(() -> futexes.wait(WORD, 0, -1, -1, () -> false));
        int woken = 0;
        for (int i = 0; i < 200 && woken == 0; i++) {
            Thread.sleep(5);
            woken = futexes.wake(WORD, 1, -1);
        }
        assertThat(woken).isEqualTo(1);
        assertThat(waiter.get(5, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void requeueMovesWaitersToTheTarget() throws Exception {
        CompletableFuture<Integer> waiter = CompletableFuture.supplyAsync(() -> futexes.wait(WORD, 0, -1, -1, () -> false));
        int moved = 0;
        for (int i = 0; i < 200 && moved == 0; i++) {
            Thread.sleep(5);
            moved = futexes.requeue(WORD, 0, 10, WORD + 4, 0);
        }
        assertThat(moved).isEqualTo(1);
        assertThat(futexes.wake(WORD, 1, -1)).isZero();
        assertThat(futexes.wake(WORD + 4, 1, -1)).isEqualTo(1);
        assertThat(waiter.get(5, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void wakeOpAddsAndComparesTheOldValue() {
        data.put32(WORD + 8, 3);
        // op ADD (1) with oparg 2, compare CMP_GT (4) old value against 1.
        int op = (1 << 28) | (4 << 24) | (2 << 12) | 1;
        assertThat(futexes.wakeOp(WORD, 1, WORD + 8, 1, op)).isZero();
        assertThat(data.s32(WORD + 8)).isEqualTo(5);
    }
}
