package org.qemu.kvm.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The kick that ends a vCPU's KVM_RUN, without KVM: the real kernel delivers the signal to the
 * one thread that blocked it, where it stays pending (the process is not killed by its default
 * action) until the thread takes it; a thread that was not kicked has nothing pending.
 */
class ThreadKickTest {
    @Test
    void aKickStaysPendingOnTheTargetThreadUntilTaken() throws Exception {
        CountDownLatch ready = new CountDownLatch(1);
        CountDownLatch kicked = new CountDownLatch(1);
        CompletableFuture<ThreadKick> target = new CompletableFuture<>();
        CompletableFuture<boolean[]> seen = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().start(() -> {
            ThreadKick kick = ThreadKick.forCurrentThread();
            boolean before = kick.consumePending();
            target.complete(kick);
            ready.countDown();
            try {
                kicked.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            boolean first = kick.consumePending();
            boolean second = kick.consumePending();
            seen.complete(new boolean[] {before, first, second});
        });
        ready.await(10, TimeUnit.SECONDS);
        target.get().kick();
        kicked.countDown();
        boolean[] result = seen.get(10, TimeUnit.SECONDS);
        t.join();
        assertThat(result[0]).as("nothing pending before the kick").isFalse();
        assertThat(result[1]).as("the kick is pending on the target thread").isTrue();
        assertThat(result[2]).as("taking it clears it").isFalse();
        assertThat(target.get().threadId()).isPositive();
    }

    @Test
    void theSignalIsARealTimeSignalOutsideGlibcsReservedOnes() {
        assertThat(ThreadKick.SIGNAL).isBetween(35, 64);
    }
}
