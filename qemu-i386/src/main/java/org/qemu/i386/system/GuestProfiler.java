package org.qemu.i386.system;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import org.qemu.i386.cpu.X86CpuState;

/**
 * A measuring aid: samples where a CPU's guest code is, once a millisecond of host time, from a
 * thread of its own (the read of eip races with the CPU, which is fine for a histogram), and
 * writes "count eip top-of-stack" lines (hex) to {@code FILE.<apic id>} when the emulator exits
 * ({@code -Dqemu.tcg.guest-profile=FILE}; after a guest reset, one boot's samples end up there).
 * Host-side profilers see translated classes, not guest functions; with the guest kernel's
 * {@code /proc/kallsyms} these samples say which guest function the time went to.
 */
final class GuestProfiler {
    private static final String FILE = System.getProperty("qemu.tcg.guest-profile");
    /** Also writes every sample in order ("milliseconds eip") to {@code FILE.<apic id>.timeline}: where the time went when. */
    private static final boolean TIMELINE = Boolean.getBoolean("qemu.tcg.guest-profile-timeline");

    private GuestProfiler() {
    }

    /**
     * Starts sampling when the property asks for it; the returned action stops it (the CPU's loop
     * ended: later samples would only repeat the stopped CPU's last eip).
     */
    static Runnable startIfAsked(X86CpuState state, org.qemu.common.memory.GuestMemory linear, int apicId) {
        if (FILE == null) {
            return () -> { };
        }
        Map<Long, Integer> samples = new HashMap<>();
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        StringBuilder timeline = new StringBuilder();
        long start = System.nanoTime();
        Thread sampler = Thread.ofPlatform().daemon().name("guest-profile" + apicId).start(() -> {
            while (running.get()) {
                LockSupport.parkNanos(1_000_000L);
                long eip = state.rip;
                // the word on top of the stack: the caller, when eip is a function's entry
                long esp = state.reg32(X86CpuState.ESP) & 0xffffffffL;
                long top = (linear.protectionAt(esp) & org.qemu.common.memory.GuestMemory.READ) != 0 && (esp & 0xfff) <= 0xffc
                        ? linear.segment().get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, esp) & 0xffffffffL : 0;
                synchronized (samples) {
                    samples.merge(eip << 32 | top, 1, Integer::sum);
                    if (TIMELINE) {
                        timeline.append((System.nanoTime() - start) / 1_000_000).append(' ').append(Long.toHexString(eip)).append('\n');
                    }
                }
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sampler.interrupt();
            try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(FILE + "." + apicId)))) {
                synchronized (samples) {
                    samples.forEach((eip, count) -> out.println(count + " " + Long.toHexString(eip >>> 32) + " " + Long.toHexString(eip & 0xffffffffL)));
                }
                if (TIMELINE) {
                    Files.writeString(Path.of(FILE + "." + apicId + ".timeline"), timeline);
                }
            } catch (IOException e) {
                System.err.println("qemu.tcg.guest-profile: " + e.getMessage());
            }
        }));
        return () -> running.set(false);
    }
}
