package org.qemu.kvm.vmm;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** How the machine ended; the first vCPU (or the console) to decide wins. */
final class MachineOutcome {
    private final CompletableFuture<Integer> status = new CompletableFuture<>();

    void finish(int exitStatus) {
        status.complete(exitStatus);
    }

    /** Runs {@code action} once the outcome is decided (at once if it already is). */
    void onFinish(Runnable action) {
        status.whenComplete((s, e) -> action.run());
    }

    boolean finished() {
        return status.isDone();
    }

    int await() throws InterruptedException {
        try {
            return status.get();
        } catch (ExecutionException e) {
            return 1;
        }
    }
}
