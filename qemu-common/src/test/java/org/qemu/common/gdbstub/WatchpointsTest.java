package org.qemu.common.gdbstub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qemu.common.memory.GuestMemory;
import org.qemu.common.memory.GuestMemoryFault;

/**
 * Watchpoints over a real GuestMemory: which accesses are reported (kind, overlap, other pages
 * not at all), that the guest's own protection still holds on a watched page, and that the
 * accessing thread stops before its next instruction with the stop-reply field GDB expects.
 */
class WatchpointsTest {
    private static final long PAGE = 0x10000;
    private final GuestMemory memory = new GuestMemory(20);
    private final ExecutionGate gate = new ExecutionGate(false);
    private final Watchpoints watchpoints = new Watchpoints(memory, gate);

    @AfterEach
    void close() {
        gate.release();
        memory.close();
    }

    private List<String> recordAccesses() {
        List<String> seen = new ArrayList<>();
        memory.setWatchListener((address, bytes, write) -> seen.add((write ? "W" : "R") + Long.toHexString(address) + "/" + bytes));
        return seen;
    }

    @Test
    void onlyAccessesToWatchedPagesAreReportedAndTheyStillWork() {
        memory.map(PAGE, 2 * GuestMemory.PAGE_SIZE, GuestMemory.READ | GuestMemory.WRITE);
        watchpoints.add(2, PAGE + 0x20, 4);
        List<String> seen = recordAccesses();
        memory.write32(PAGE + 0x20, 0x12345678);
        memory.write32(PAGE + GuestMemory.PAGE_SIZE + 0x20, 1); // the next page: fast path, not reported
        assertThat(memory.read32(PAGE + 0x20)).isEqualTo(0x12345678);
        assertThat(seen).containsExactly("W10020/4", "R10020/4");
        assertThat(memory.protectionAt(PAGE + 0x20)).isEqualTo(GuestMemory.READ | GuestMemory.WRITE);
    }

    @Test
    void theGuestsOwnProtectionStillFaultsOnAWatchedPage() {
        memory.map(PAGE, GuestMemory.PAGE_SIZE, GuestMemory.READ);
        watchpoints.add(4, PAGE, 8);
        assertThat(memory.read32(PAGE)).isZero();
        assertThatThrownBy(() -> memory.write32(PAGE, 1)).isInstanceOf(GuestMemoryFault.class);
        memory.protect(PAGE, GuestMemory.PAGE_SIZE, GuestMemory.READ | GuestMemory.WRITE);
        memory.write32(PAGE, 7);
        assertThat(memory.protectionAt(PAGE)).isEqualTo(GuestMemory.READ | GuestMemory.WRITE);
        watchpoints.clear();
        memory.write32(PAGE, 8);
        assertThat(memory.read32(PAGE)).isEqualTo(8);
    }

    @Test
    void aMatchingAccessStopsItsThreadBeforeTheNextInstruction() throws Exception {
        memory.map(PAGE, GuestMemory.PAGE_SIZE, GuestMemory.READ | GuestMemory.WRITE);
        watchpoints.add(3, PAGE + 0x40, 4); // rwatch
        Object cpu = new Object();
        Thread guest = new Thread(() -> {
            gate.beforeInstruction(cpu, 0x1000);
            memory.write32(PAGE + 0x40, 5); // a write: an rwatch does not fire
            gate.beforeInstruction(cpu, 0x1004);
            memory.read16(PAGE + 0x42); // overlaps the watched bytes
            gate.beforeInstruction(cpu, 0x1008); // stops here
            gate.beforeInstruction(cpu, 0x100c);
        });
        guest.start();
        long end = System.currentTimeMillis() + 5000;
        while (!gate.isStopped() && System.currentTimeMillis() < end) {
            Thread.sleep(5);
        }
        ExecutionGate.StopEvent stop = gate.currentStop();
        assertThat(stop).isNotNull();
        assertThat(stop.watch()).isEqualTo("rwatch:10040");
        assertThat(stop.signal()).isEqualTo(ExecutionGate.SIGTRAP);
        gate.resume(null, true);
        guest.join(TimeUnit.SECONDS.toMillis(5));
        assertThat(guest.isAlive()).isFalse();
    }

    @Test
    void removingTheLastWatchOnAPageGivesItsFastPathBack() {
        memory.map(PAGE, GuestMemory.PAGE_SIZE, GuestMemory.READ | GuestMemory.WRITE);
        watchpoints.add(2, PAGE, 4);
        watchpoints.add(4, PAGE + 8, 4);
        List<String> seen = recordAccesses();
        assertThat(watchpoints.remove(2, PAGE, 4)).isTrue();
        memory.write8(PAGE + 100, 1);
        assertThat(seen).hasSize(1); // the access watch still covers the page
        assertThat(watchpoints.remove(4, PAGE + 8, 4)).isTrue();
        assertThat(watchpoints.remove(4, PAGE + 8, 4)).isFalse();
        memory.write8(PAGE + 100, 2);
        assertThat(seen).hasSize(1);
    }
}
